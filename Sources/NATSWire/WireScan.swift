/// Byte-level helpers shared by the parser: keyword matching, argument splitting, sizes.
@usableFromInline
enum WireScan {
    /// Whether `b` is an argument separator (space, tab, or a stray carriage return).
    @inlinable @inline(__always)
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D }

    /// Case-insensitive prefix test of `word` (lower-case ASCII) at `start`.
    @inlinable @inline(__always)
    static func hasPrefix(_ b: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard end - start >= n else { return false }
        let w = word.utf8Start
        for k in 0..<n where (b[start + k] | 0x20) != w[k] { return false }
        return true
    }

    /// Matches `word` followed by at least one separator (or, for JSON ops, directly by `{`);
    /// returns where the arguments begin.
    @inlinable @inline(__always)
    static func keyword(_ b: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ word: StaticString,
                        allowingBrace: Bool = false) -> Int? {
        let n = word.utf8CodeUnitCount
        guard hasPrefix(b, start, end, word), start + n < end else { return nil }
        if isSpace(b[start + n]) { return start + n + 1 }
        return allowingBrace && b[start + n] == UInt8(ascii: "{") ? start + n : nil
    }

    /// Bytes allowed on a control line beyond max_control_line: the op name and separators.
    @usableFromInline static var operationSlack: Int { 16 }

    /// Whether `b` can begin an op of `dialect` (nats-server's parser rejects anything else at once).
    @inlinable @inline(__always)
    static func isOperationStart(_ b: UInt8, _ dialect: WireDialect) -> Bool {
        switch b | 0x20 {
        case UInt8(ascii: "p"), UInt8(ascii: "h"), UInt8(ascii: "c"), UInt8(ascii: "i"), UInt8(ascii: "+"), UInt8(ascii: "-"):
            return true
        case UInt8(ascii: "s"), UInt8(ascii: "u"), UInt8(ascii: "m"):
            return dialect == .client
        case UInt8(ascii: "r"), UInt8(ascii: "l"):
            return dialect != .client
        default:
            return false
        }
    }

    /// Where an op's arguments begin: after the first separator (or at `{`) within the op name.
    @inlinable @inline(__always)
    static func argumentStart(_ b: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int {
        var i = start
        let limit = min(end, start + 8)
        while i < limit {
            if isSpace(b[i]) { return i + 1 }
            if b[i] == UInt8(ascii: "{") { return i }
            i += 1
        }
        return i
    }

    /// The next whitespace-separated argument before `end`, advancing `i`; empty when there is none.
    @inlinable @inline(__always)
    static func nextArg(_ b: UnsafeRawBufferPointer, _ i: inout Int, _ end: Int) -> Range<Int> {
        var j = i
        while j < end && isSpace(b[j]) { j += 1 }
        let s = j
        while j < end && !isSpace(b[j]) { j += 1 }
        i = j
        return s..<j
    }

    /// The range with leading and trailing separators removed.
    @inlinable
    static func trimmed(_ b: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Range<Int> {
        var s = start
        var e = end
        while s < e && isSpace(b[s]) { s += 1 }
        while e > s && isSpace(b[e - 1]) { e -= 1 }
        return s..<e
    }

    /// A decimal size of 1...9 digits, or -1 (nats-server parseSize).
    @inlinable @inline(__always)
    static func size(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Int {
        guard !r.isEmpty, r.count <= 9 else { return -1 }
        var n = 0
        for k in r {
            let d = b[k] &- 0x30
            guard d <= 9 else { return -1 }
            n = n * 10 + Int(d)
        }
        return n
    }
}
