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
    /// `headerLength >= 0`. All byte arguments are raw protocol bytes.
    @inlinable
    public mutating func writeMessage(subject: UnsafeRawBufferPointer, sid: UnsafeRawBufferPointer,
                                      reply: UnsafeRawBufferPointer, headerLength: Int,
                                      body: UnsafeRawBufferPointer) {
        if headerLength >= 0 {
            writeStaticString("HMSG ")
        } else {
            writeStaticString("MSG ")
        }
        writeBytes(subject)
        writeInteger(UInt8(ascii: " "))
        writeBytes(sid)
        writeInteger(UInt8(ascii: " "))
        if reply.count > 0 {
            writeBytes(reply)
            writeInteger(UInt8(ascii: " "))
        }
        if headerLength >= 0 {
            writeDecimal(headerLength)
            writeInteger(UInt8(ascii: " "))
        }
        writeDecimal(body.count)
        writeStaticString("\r\n")
        writeBytes(body)
        writeStaticString("\r\n")
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
