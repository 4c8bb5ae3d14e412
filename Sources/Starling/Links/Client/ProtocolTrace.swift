import NATSWire

/// `-V` tracing of the client protocol in nats-server's shape (`<<- [PUB foo 5]`), with
/// secrets in CONNECT replaced by `[REDACTED]`.
enum ProtocolTrace {
    /// The control part of an inbound op, as nats-server's trace shows it.
    static func describe(_ op: WireOp, _ bytes: UnsafeRawBufferPointer) -> String {
        func text(_ range: Range<Int>) -> String { String(decoding: bytes.span(range), as: UTF8.self) }
        switch op {
        case .pub(let f):
            let verb = f.hasHeaders ? "HPUB" : "PUB"
            let reply = f.reply.isEmpty ? "" : " " + text(f.reply)
            let sizes = f.hasHeaders ? "\(f.headerLength) \(f.body.count)" : "\(f.body.count)"
            return "\(verb) \(text(f.subject))\(reply) \(sizes)"
        case .msg(let f):
            return "MSG \(text(f.subject)) \(text(f.sid)) \(f.body.count)"
        case .sub(let subject, let queue, let sid):
            return "SUB \(text(subject))\(queue.isEmpty ? "" : " " + text(queue)) \(text(sid))"
        case .unsub(let sid, let max):
            return "UNSUB \(text(sid))\(max.map { " \($0)" } ?? "")"
        case .connect(let json):
            return "CONNECT \(redacted(text(json)))"
        case .info(let json):
            return "INFO \(text(json))"
        case .ping: return "PING"
        case .pong: return "PONG"
        case .ok: return "+OK"
        case .err(let message): return "-ERR \(text(message))"
        case .routeSub(let f):
            let queue = f.queue.isEmpty ? "" : " \(text(f.queue)) \(f.weight)"
            return "RS+ \(words(f.origin, f.account, f.subject))\(queue)"
        case .routeUnsub(let f):
            return "RS- \(words(f.origin, f.account, f.subject, f.queue))"
        case .routedMsg(let f):
            let sizes = f.headerLength >= 0 ? "\(f.headerLength) \(f.body.count)" : "\(f.body.count)"
            return "RMSG \(words(f.origin, f.account, f.subject, f.reply, f.queues)) \(sizes)"
        }
        func words(_ ranges: Range<Int>...) -> String {
            ranges.filter { !$0.isEmpty }.map(text).joined(separator: " ")
        }
    }

    /// CONNECT JSON with the values of secret fields replaced.
    static func redacted(_ json: String) -> String {
        var out = json
        for key in ["pass", "auth_token", "sig", "jwt"] {
            guard let keyRange = out.range(of: "\"\(key)\"") else { continue }
            guard let colon = out[keyRange.upperBound...].firstIndex(of: ":"),
                  let open = out[out.index(after: colon)...].firstIndex(of: "\"") else { continue }
            var i = out.index(after: open)
            while i < out.endIndex && out[i] != "\"" {
                if out[i] == "\\" { i = out.index(after: i) }
                if i < out.endIndex { i = out.index(after: i) }
            }
            guard i < out.endIndex else { continue }
            out.replaceSubrange(out.index(after: open)..<i, with: "[REDACTED]")
        }
        return out
    }
}
