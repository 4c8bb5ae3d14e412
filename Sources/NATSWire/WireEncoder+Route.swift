import NIOCore

/// Encoders for the route ops, in nats-server's argument layout (route.go
/// addRouteSubOrUnsubProtoToBuf, client.go msgHeaderForRouteOrLeaf). An `account` of nil writes
/// the form of a route pinned to one account, which omits it. One capacity check, then plain
/// copies: these are on the interest and message hot paths.
extension ByteBuffer {
    /// Appends `RS+ [account] <subject> [<queue> <weight>]\r\n`; queue and weight are written only
    /// when `queue` is not empty. `weight` is the number of local queue members (negative is written as 0).
    @inlinable
    public mutating func writeRouteSub(account: UnsafeRawBufferPointer?, subject: UnsafeRawBufferPointer,
                                       queue: UnsafeRawBufferPointer, weight: Int) {
        let maximum = 4 + (account?.count ?? 0) + 1 + subject.count + 1 + queue.count + 1 + 20 + 2
        writeWithUnsafeMutableBytes(minimumWritableBytes: maximum) { out in
            var w = WireCursor(out.baseAddress!)
            w.byte(UInt8(ascii: "R")); w.byte(UInt8(ascii: "S")); w.byte(UInt8(ascii: "+")); w.byte(0x20)
            if let account { w.put(account); w.byte(0x20) }
            w.put(subject)
            if queue.count > 0 {
                w.byte(0x20); w.put(queue)
                w.byte(0x20); w.decimal(Swift.max(weight, 0))
            }
            w.crlf()
            return out.baseAddress!.distance(to: w.p)
        }
    }

    /// Appends `RS- [account] <subject> [queue]\r\n`; the queue is written only when not empty.
    @inlinable
    public mutating func writeRouteUnsub(account: UnsafeRawBufferPointer?, subject: UnsafeRawBufferPointer,
                                         queue: UnsafeRawBufferPointer) {
        let maximum = 4 + (account?.count ?? 0) + 1 + subject.count + 1 + queue.count + 2
        writeWithUnsafeMutableBytes(minimumWritableBytes: maximum) { out in
            var w = WireCursor(out.baseAddress!)
            w.byte(UInt8(ascii: "R")); w.byte(UInt8(ascii: "S")); w.byte(UInt8(ascii: "-")); w.byte(0x20)
            if let account { w.put(account); w.byte(0x20) }
            w.put(subject)
            if queue.count > 0 { w.byte(0x20); w.put(queue) }
            w.crlf()
            return out.baseAddress!.distance(to: w.p)
        }
    }

    /// Appends `RMSG [account] <subject> <route args> <size>\r\n<body>\r\n`, or with
    /// `headerLength >= 0` the `HMSG ... <headerLength> <size>` form, where `<route args>` is
    /// `+ <reply> <queues>` (reply and queues), `| <queues>` (queues only), `<reply>` or nothing.
    /// `queues` is the queue names already joined by single spaces, without a trailing space,
    /// or empty; `body` is the header block followed by the payload.
    @inlinable
    public mutating func writeRoutedMessage(account: UnsafeRawBufferPointer?, subject: UnsafeRawBufferPointer,
                                            reply: UnsafeRawBufferPointer, queues: UnsafeRawBufferPointer,
                                            headerLength: Int, body: UnsafeRawBufferPointer) {
        let maximum = 5 + (account?.count ?? 0) + 1 + subject.count + 1 + 2 + reply.count + 1 + queues.count + 1
            + 20 + 20 + 2 + body.count + 2
        writeWithUnsafeMutableBytes(minimumWritableBytes: maximum) { out in
            var w = WireCursor(out.baseAddress!)
            w.byte(headerLength >= 0 ? UInt8(ascii: "H") : UInt8(ascii: "R"))
            w.byte(UInt8(ascii: "M")); w.byte(UInt8(ascii: "S")); w.byte(UInt8(ascii: "G")); w.byte(0x20)
            if let account { w.put(account); w.byte(0x20) }
            w.put(subject); w.byte(0x20)
            if queues.count > 0 {
                if reply.count > 0 {
                    w.byte(UInt8(ascii: "+")); w.byte(0x20); w.put(reply); w.byte(0x20)
                } else {
                    w.byte(UInt8(ascii: "|")); w.byte(0x20)
                }
                w.put(queues); w.byte(0x20)
            } else if reply.count > 0 {
                w.put(reply); w.byte(0x20)
            }
            if headerLength >= 0 { w.decimal(headerLength); w.byte(0x20) }
            w.decimal(body.count)
            w.crlf()
            w.put(body)
            w.crlf()
            return out.baseAddress!.distance(to: w.p)
        }
    }
}
