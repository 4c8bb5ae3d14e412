import NATSSubjects

/// SUB and UNSUB: validation, permissions, limits, and stream-import shadows.
extension ClientHandler {
    func subscribe(subject: Slice<UnsafeRawBufferPointer>, queue: Slice<UnsafeRawBufferPointer>,
                   sid: Slice<UnsafeRawBufferPointer>) {
        guard Subject.isValid(subject) else {
            sendError(ClientError.invalidSubject)
            return
        }
        let subjectText = String(decoding: subject, as: UTF8.self)
        let queueText = queue.isEmpty ? nil : String(decoding: queue, as: UTF8.self)
        let permissions = identity?.permissions
        if let permissions, !permissions.canSubscribe(subjectText, queue: queueText) {
            let sidText = String(decoding: sid, as: UTF8.self)
            if let queueText {
                server.log.error("\(info.ip):\(info.port) - cid:\(info.cid) - Subscription Violation - Subject \"\(subjectText)\", Queue: \"\(queueText)\", SID \(sidText)")
                sendError("Permissions Violation for Subscription to \"\(subjectText)\" using queue \"\(queueText)\"")
            } else {
                server.log.error("\(info.ip):\(info.port) - cid:\(info.cid) - Subscription Violation - Subject \"\(subjectText)\", SID \(sidText)")
                sendError("Permissions Violation for Subscription to \"\(subjectText)\"")
            }
            return
        }
        let sidBytes = Array(sid)
        let sidKey = String(decoding: sidBytes, as: UTF8.self)
        let sub = Subscription(subject: subjectText, queue: queueText, sid: sidBytes, connection: connection,
                               denyFilter: permissions?.deliveryDenyFilter(for: subjectText))
        let limit = opts.maxSubscriptions
        let added: Bool? = connection.subscriptions.withLock { subs in
            if subs[sidKey] != nil { return false }
            if limit > 0 && subs.count >= limit { return nil }
            subs[sidKey] = sub
            return true
        }
        switch added {
        case nil:
            server.log.error("\(info.ip):\(info.port) - cid:\(info.cid) - Maximum Subscriptions Exceeded (\(limit))")
            sendError(ClientError.maxSubscriptions)
            return
        case true?:
            account.insert(sub)
            addShadows(for: sub)
        case false?:
            break
        }
        ok()
    }

    func unsubscribe(sid: String, max: Int?) {
        let sub = connection.subscriptions.withLock { $0[sid] }
        if let sub {
            let keep = connection.setDeliveryLimit(sub, max: max ?? 0)
            if !keep { server.removeSubscription(sub) }
        }
        ok()
    }

    /// Adds the stream-import shadows of one of this connection's subscriptions.
    func addShadows(for sub: Subscription) {
        let shadows = account.makeShadows(for: sub)
        guard !shadows.isEmpty else { return }
        connection.subscriptions.withLock { _ in sub.shadows = shadows }
    }

    /// Removes the shadows of one of this connection's subscriptions.
    func removeShadows(of sub: Subscription) {
        let shadows = connection.subscriptions.withLock { _ in
            let old = sub.shadows
            sub.shadows = []
            return old
        }
        Subscription.removeShadows(shadows)
    }
}
