import NIOCore

extension ByteBuffer {
    /// Appends `PUB <subject> [reply] <size>\r\n<payload>\r\n` from raw protocol bytes, for
    /// callers that hold subjects as byte slices (for example a reply subject parsed in place).
    @inlinable
    public mutating func writePublish(subjectBytes subject: UnsafeRawBufferPointer, replyBytes reply: UnsafeRawBufferPointer,
                                      payload: UnsafeRawBufferPointer) {
        writeStaticString("PUB ")
        writeBytes(subject)
        writeInteger(UInt8(ascii: " "))
        if reply.count > 0 {
            writeBytes(reply)
            writeInteger(UInt8(ascii: " "))
        }
        writeDecimal(payload.count)
        writeStaticString("\r\n")
        writeBytes(payload)
        writeStaticString("\r\n")
    }
}
