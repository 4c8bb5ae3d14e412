/// A write position in memory already reserved for a whole frame: plain copies, no capacity
/// checks (the hot-path encoders reserve the maximum frame size once, then fill it with this).
@usableFromInline
struct WireCursor {
    /// The next byte to write.
    @usableFromInline var p: UnsafeMutableRawPointer

    @inlinable @inline(__always)
    init(_ start: UnsafeMutableRawPointer) { p = start }

    /// Copies `bytes`.
    @inlinable @inline(__always)
    mutating func put(_ bytes: UnsafeRawBufferPointer) {
        if let base = bytes.baseAddress, bytes.count > 0 {
            p.copyMemory(from: base, byteCount: bytes.count)
            p += bytes.count
        }
    }

    /// Writes one byte.
    @inlinable @inline(__always)
    mutating func byte(_ b: UInt8) {
        p.storeBytes(of: b, as: UInt8.self)
        p += 1
    }

    /// Writes `n` (non-negative, at most 19 digits) in decimal.
    @inlinable @inline(__always)
    mutating func decimal(_ n: Int) {
        var digits = 1
        var scale = 10
        while n >= scale && digits < 19 { digits += 1; scale &*= 10 }
        var v = n
        var k = digits
        while k > 0 {
            k -= 1
            (p + k).storeBytes(of: UInt8(truncatingIfNeeded: 0x30 + v % 10), as: UInt8.self)
            v /= 10
        }
        p += digits
    }

    /// Writes `\r\n`.
    @inlinable @inline(__always)
    mutating func crlf() { byte(0x0D); byte(0x0A) }
}
