import Foundation
import NATSSubjects
import NATSWire

/// PUB/HPUB: checks, matching in the account, delivery, and the import routes that carry a
/// message into another account.
extension ClientHandler {
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
        let delivered = dispatch.deliverAll(lookup.result, in: account, from: .client(connection, noEcho: !options.echo),
                                            subject, reply, headerLength, body)
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
