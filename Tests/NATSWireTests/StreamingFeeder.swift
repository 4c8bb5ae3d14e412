import NATSWire

/// Feeds bytes the way a link does: keeps unconsumed bytes and appends what arrives next.
struct StreamingFeeder {
    var parser = WireParser()
    var pending: [UInt8] = []
    var ops: [String] = []
    var failure: WireError?

    mutating func feed(_ chunk: [UInt8]) {
        guard failure == nil else { return }
        pending += chunk
        var offset = 0
        pending.withUnsafeBytes { bytes in
            loop: while true {
                switch parser.next(bytes, at: offset) {
                case .op(let op, let next):
                    ops.append(Self.render(op, bytes))
                    offset = next
                case .needMore:
                    break loop
                case .failure(let error):
                    failure = error
                    break loop
                }
            }
        }
        pending.removeFirst(offset)
    }

    static func render(_ op: WireOp, _ b: UnsafeRawBufferPointer) -> String {
        func s(_ r: Range<Int>) -> String { String(decoding: b[r], as: UTF8.self) }
        switch op {
        case .pub(let f): return "PUB[\(s(f.subject))|\(s(f.reply))|\(f.headerLength)|\(s(f.body))]"
        case .msg(let f): return "MSG[\(s(f.subject))|\(s(f.sid))|\(s(f.reply))|\(f.headerLength)|\(s(f.body))]"
        case .sub(let subject, let queue, let sid): return "SUB[\(s(subject))|\(s(queue))|\(s(sid))]"
        case .unsub(let sid, let max): return "UNSUB[\(s(sid))|\(max.map(String.init) ?? "-")]"
        case .connect(let json): return "CONNECT[\(s(json))]"
        case .info(let json): return "INFO[\(s(json))]"
        case .ping: return "PING"
        case .pong: return "PONG"
        case .ok: return "OK"
        case .err(let text): return "ERR[\(s(text))]"
        case .routeSub(let f): return "RSUB[\(s(f.origin))|\(s(f.account))|\(s(f.subject))|\(s(f.queue))|\(f.weight)]"
        case .routeUnsub(let f): return "RUNSUB[\(s(f.origin))|\(s(f.account))|\(s(f.subject))|\(s(f.queue))|\(f.weight)]"
        case .routedMsg(let f):
            return "RMSG[\(s(f.origin))|\(s(f.account))|\(s(f.subject))|\(s(f.reply))|\(s(f.queues))|\(f.headerLength)|\(s(f.body))]"
        }
    }
}
