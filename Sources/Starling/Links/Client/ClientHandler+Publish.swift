import Foundation
import NATSSubjects
import NATSWire

/// PUB/HPUB: checks, matching in the account, delivery, and the import routes that carry a
/// message into another account.
extension ClientHandler {
    /// Hops through service imports and response routes before a message is dropped (loop guard).
    static var maxImportHops: Int { 8 }

    func publish(_ frame: MessageFrame, _ bytes: UnsafeRawBufferPointer) {
        if frame.hasHeaders && !options.headers {
            server.log.error("\(info.ip):\(info.port) - cid:\(info.cid) - message headers not supported")
            closeReason = "Protocol Violation"
            closeNow()
            return
        }
        let subject = bytes.span(frame.subject)
        inMsgs += 1
        inBytes += frame.body.count
        if options.pedantic && !Subject.isValidLiteral(subject) {
            // nats-server reports it and still routes the message (to literal matches).
            sendError(ClientError.invalidPublishSubject)
        }
        let lookup = cache.lookup(subject, in: account.sublist, permissions: identity?.permissions)
        if !lookup.allowed && !replyGranted(subject) {
            let text = String(decoding: subject, as: UTF8.self)
            server.log.error("\(info.ip):\(info.port) - cid:\(info.cid) - Publish Violation - \(userLabel), Subject \"\(text)\"")
            sendError("Permissions Violation for Publish to \"\(text)\"")
            return
        }
        let reply = bytes.span(frame.reply)
        if Self.isReservedReply(reply) {
            let text = String(decoding: reply, as: UTF8.self)
            server.log.error("\(info.ip):\(info.port) - cid:\(info.cid) - Publish Violation - \(userLabel), Reply \"\(text)\"")
            sendError("Permissions Violation for Publish with Reply of \"\(text)\"")
            return
        }
        ok()  // nats-server acknowledges a verbose PUB before delivering it
        let body = bytes.span(frame.body)
        // An empty header block (HPUB with 0 header bytes) is delivered as a plain message.
        let headerLength = frame.headerLength == 0 ? -1 : frame.headerLength
        let delivered = deliverAll(lookup.result, subject, reply, headerLength, body, hops: 0)
        if !delivered && !reply.isEmpty && options.noResponders {
            sendNoResponders(reply: reply)
        }
    }

    /// `_R_.` replies belong to service imports; clients may not forge them (nats-server isReservedReply).
    static func isReservedReply(_ reply: UnsafeRawBufferPointer) -> Bool {
        reply.count > 4 && reply[0] == UInt8(ascii: "_") && reply[1] == UInt8(ascii: "R")
            && reply[2] == UInt8(ascii: "_") && reply[3] == UInt8(ascii: ".")
    }

    private var userLabel: String {
        let name = identity?.displayName ?? ""
        return name.isEmpty ? "Anonymous" : "User \"\(name)\""
    }

    private func replyGranted(_ subject: UnsafeRawBufferPointer) -> Bool {
        guard let responses = identity?.permissions?.responses else { return false }
        return connection.useReplyGrant(String(decoding: subject, as: UTF8.self), limit: responses)
    }

    /// Delivers to every plain subscription and one member of each queue group.
    func deliverAll(_ result: SublistResult<Subscription>, _ subject: UnsafeRawBufferPointer, _ reply: UnsafeRawBufferPointer,
                    _ headerLength: Int, _ body: UnsafeRawBufferPointer, hops: Int) -> Bool {
        if result.isEmpty { return false }
        var delivered = false
        for sub in result.plain where deliver(sub, subject, reply, headerLength, body, hops: hops) {
            delivered = true
        }
        for group in result.queues where !group.isEmpty {
            if deliverToOne(of: group, subject, reply, headerLength, body, hops: hops) { delivered = true }
        }
        return delivered
    }

    /// Delivers to one queue member, starting at a random one and moving on past closed members.
    private func deliverToOne(of group: [Subscription], _ subject: UnsafeRawBufferPointer, _ reply: UnsafeRawBufferPointer,
                              _ headerLength: Int, _ body: UnsafeRawBufferPointer, hops: Int) -> Bool {
        random ^= random << 13
        random ^= random >> 7
        random ^= random << 17
        let start = Int(random % UInt64(group.count))
        for k in 0..<group.count where deliver(group[(start + k) % group.count], subject, reply, headerLength, body, hops: hops) {
            return true
        }
        return false
    }

    private func deliver(_ sub: Subscription, _ subject: UnsafeRawBufferPointer, _ reply: UnsafeRawBufferPointer,
                         _ headerLength: Int, _ body: UnsafeRawBufferPointer, hops: Int) -> Bool {
        guard let target = sub.connection else {
            return forward(sub.forward!, subject, reply, headerLength, body, hops: hops)
        }
        if !options.echo && target === connection { return false }
        if let route = sub.streamImport {
            return deliverImported(sub, target, route, subject, reply, headerLength, body)
        }
        if let filter = sub.denyFilter, filter.contains(where: { $0.matches(subject) }) { return false }
        return queue(sub, target, subject, reply, headerLength, body)
    }

    private func queue(_ sub: Subscription, _ target: ClientConnection, _ subject: UnsafeRawBufferPointer,
                       _ reply: UnsafeRawBufferPointer, _ headerLength: Int, _ body: UnsafeRawBufferPointer) -> Bool {
        switch target.deliver(sub.primary, subject: subject, reply: reply, headerLength: headerLength, body: body) {
        case .queued(let needsFlush, let flushNow, let limitReached):
            if flushNow {
                target.scheduleFlush()
            } else if needsFlush {
                touched.append(target)
            }
            if limitReached { server.removeSubscription(sub.primary) }
            return true
        case .dropped:
            return false
        case .slowConsumer:
            server.closeSlowConsumer(target)
            return false
        }
    }

    /// A stream-import shadow: rewrite the subject to the importer's view, check it still
    /// matches the importer's subscription, then deliver.
    private func deliverImported(_ sub: Subscription, _ target: ClientConnection, _ route: StreamImportRoute,
                                 _ subject: UnsafeRawBufferPointer, _ reply: UnsafeRawBufferPointer,
                                 _ headerLength: Int, _ body: UnsafeRawBufferPointer) -> Bool {
        let local = Array(route.toLocal(String(decoding: subject, as: UTF8.self)).utf8)
        return local.withUnsafeBytes { localSubject in
            if let filter = sub.shadowFilter, !filter.matches(localSubject) { return false }
            if let filter = sub.denyFilter, filter.contains(where: { $0.matches(localSubject) }) { return false }
            return queue(sub, target, localSubject, reply, headerLength, body)
        }
    }

    /// Carries a message across an import: a request into the exporter with a mapped reply, or
    /// a response back to the importer's original reply.
    private func forward(_ route: ImportRoute, _ subject: UnsafeRawBufferPointer, _ reply: UnsafeRawBufferPointer,
                         _ headerLength: Int, _ body: UnsafeRawBufferPointer, hops: Int) -> Bool {
        guard hops < Self.maxImportHops else { return false }
        switch route {
        case .serviceImport(let service):
            let remote = Array(service.toRemote(String(decoding: subject, as: UTF8.self)).utf8)
            let mappedReply = reply.isEmpty ? [] : Array(service.responses.register(reply: reply).utf8)
            let (message, messageHeaderLength) = withRequestInfo(headerLength, body, importer: service.importer)
            return remote.withUnsafeBytes { remoteSubject in
                mappedReply.withUnsafeBytes { remoteReply in
                    message.withUnsafeBytes { remoteBody in
                        let result = service.exporter.sublist.match(String(decoding: remoteSubject, as: UTF8.self))
                        return deliverAll(result, remoteSubject, remoteReply, messageHeaderLength, remoteBody, hops: hops + 1)
                    }
                }
            }
        case .serviceResponses(let table):
            guard let original = table.resolve(String(decoding: subject, as: UTF8.self)) else { return false }
            return original.withUnsafeBytes { originalReply in
                let result = table.importer.sublist.match(String(decoding: originalReply, as: UTF8.self))
                return deliverAll(result, originalReply, reply, headerLength, body, hops: hops + 1)
            }
        }
    }

    /// The request with nats-server's `Nats-Request-Info: {"acc":...,"rtt":...}` header set, as a
    /// service import adds it (client.go: processServiceImport, setHeader).
    private func withRequestInfo(_ headerLength: Int, _ body: UnsafeRawBufferPointer,
                                 importer: Account) -> (message: [UInt8], headerLength: Int) {
        let key = "Nats-Request-Info"
        var header: [UInt8]
        if headerLength > 2 {
            let lines = String(decoding: body.span(0..<(headerLength - 2)), as: UTF8.self)
                .components(separatedBy: "\r\n").filter { !$0.isEmpty }
            let kept = lines.filter { !$0.lowercased().hasPrefix(key.lowercased() + ":") }
            header = Array((kept.joined(separator: "\r\n") + "\r\n").utf8)
        } else {
            header = Array("NATS/1.0\r\n".utf8)
        }
        var json = "{\"acc\":\(Self.jsonString(importer.name))"
        if let rtt = info.rtt {
            let (seconds, attoseconds) = rtt.components
            json += ",\"rtt\":\(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)"
        }
        header += Array("\(key): \(json)}\r\n\r\n".utf8)
        let payload = headerLength > 0 ? body.span(headerLength..<body.count) : body
        return (header + Array(payload), header.count)
    }

    private static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private func sendNoResponders(reply: UnsafeRawBufferPointer) {
        let replySubject = String(decoding: reply, as: UTF8.self)
        let own = account.sublist.match(replySubject).plain.first { $0.connection === connection }
        guard let sub = own else { return }
        sendProto { out in
            out.writeStaticString("HMSG ")
            out.writeBytes(reply)
            out.writeStaticString(" ")
            out.writeBytes(sub.sid)
            out.writeStaticString(" 16 16\r\nNATS/1.0 503\r\n\r\n\r\n")
        }
    }
}
