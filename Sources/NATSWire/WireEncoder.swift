import NIOCore

/// Encoders for NATS ops, appending to a `ByteBuffer` without intermediate Strings.
extension ByteBuffer {
    /// Appends `n` (non-negative) in decimal.
    @inlinable
    public mutating func writeDecimal(_ n: Int) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { raw in
            var v = n
            var i = raw.count
            repeat {
                i -= 1
                raw[i] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
                v /= 10
            } while v > 0 && i > 0
            self.writeBytes(UnsafeRawBufferPointer(rebasing: raw[i...]))
        }
    }

    /// Appends `MSG <subject> <sid> [reply] <size>\r\n<payload>\r\n`, or the HMSG form when
    /// `headerLength >= 0`. All byte arguments are raw protocol bytes. One capacity check, then
    /// plain copies: this is the delivery hot path.
    @inlinable
    public mutating func writeMessage(subject: UnsafeRawBufferPointer, sid: UnsafeRawBufferPointer,
                                      reply: UnsafeRawBufferPointer, headerLength: Int,
                                      body: UnsafeRawBufferPointer) {
        let maximum = 5 + subject.count + 1 + sid.count + 1 + reply.count + 1 + 20 + 2 + body.count + 2
        writeWithUnsafeMutableBytes(minimumWritableBytes: maximum) { out in
            var w = WireCursor(out.baseAddress!)
            if headerLength >= 0 { w.byte(UInt8(ascii: "H")) }
            w.byte(UInt8(ascii: "M")); w.byte(UInt8(ascii: "S")); w.byte(UInt8(ascii: "G")); w.byte(0x20)
            w.put(subject); w.byte(0x20)
            w.put(sid); w.byte(0x20)
            if reply.count > 0 { w.put(reply); w.byte(0x20) }
            if headerLength >= 0 { w.decimal(headerLength); w.byte(0x20) }
            w.decimal(body.count)
            w.crlf()
            w.put(body)
            w.crlf()
            return out.baseAddress!.distance(to: w.p)
        }
    }

    /// Appends `PUB`/`HPUB` for publishing; `headers` is a complete `NATS/1.0` block or empty.
    @inlinable
    public mutating func writePublish(subject: String, reply: String?, headers: UnsafeRawBufferPointer?,
                                      payload: UnsafeRawBufferPointer) {
        let headerCount = headers?.count ?? 0
        writeStaticString(headerCount > 0 ? "HPUB " : "PUB ")
        writeString(subject)
        writeInteger(UInt8(ascii: " "))
        if let reply, !reply.isEmpty {
            writeString(reply)
            writeInteger(UInt8(ascii: " "))
        }
        if headerCount > 0 {
            writeDecimal(headerCount)
            writeInteger(UInt8(ascii: " "))
        }
        writeDecimal(headerCount + payload.count)
        writeStaticString("\r\n")
        if let headers, headerCount > 0 { writeBytes(headers) }
        writeBytes(payload)
        writeStaticString("\r\n")
    }
}
