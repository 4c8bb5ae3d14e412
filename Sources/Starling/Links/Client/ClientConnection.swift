import NIOCore
import NATSWire
import Synchronization

/// A client connection: its subscriptions, its account, and MSG/HMSG delivery into the shared
/// outbound buffer of ``LinkConnection``.
final class ClientConnection: LinkConnection, @unchecked Sendable {
    private let boundAccount: Mutex<Account>
    /// Subscriptions by sid; touched by the owner on SUB/UNSUB and by publishers on auto-unsubscribe.
    let subscriptions = Mutex<[String: Subscription]>([:])
    /// The link's state machine, reachable only on `eventLoop` (monitoring snapshots hop there).
    let handler: LinkHandlerReference<ClientHandler>

    init(id: UInt64, channel: any Channel, account: Account, maxPending: Int, writeDeadline: TimeAmount,
         handler: LinkHandlerReference<ClientHandler>) {
        self.boundAccount = Mutex(account)
        self.handler = handler
        super.init(id: id, channel: channel, maxPending: maxPending, writeDeadline: writeDeadline)
    }

    /// Appends a MSG/HMSG for `subscription` (headers stripped when the client cannot take them).
    func deliver(_ subscription: Subscription, subject: UnsafeRawBufferPointer, reply: UnsafeRawBufferPointer,
                 headerLength: Int, body: UnsafeRawBufferPointer) -> Delivery {
        outbound.withLock { s in
            guard !s.closed else { return .dropped }
            if subscription.deliveryLimit > 0 && subscription.delivered >= subscription.deliveryLimit { return .dropped }
            var headerLength = headerLength
            let body = s.deliverable(&headerLength, body)
            let before = s.buffer.writerIndex
            subscription.sid.withUnsafeBytes { sid in
                s.buffer.writeMessage(subject: subject, sid: sid, reply: reply, headerLength: headerLength, body: body)
            }
            guard let (needsFlush, flushNow) = s.commitMessage(since: before, payload: body.count) else { return .slowConsumer }
            if reply.count > 0, let responses = s.responses { s.grant(reply, limit: responses) }
            subscription.delivered += 1
            let limitReached = subscription.deliveryLimit > 0 && subscription.delivered >= subscription.deliveryLimit
            return .queued(needsFlush: needsFlush, flushNow: flushNow, limitReached: limitReached)
        }
    }
}

extension ClientConnection {
    /// The account this connection's subscriptions live in (changes at CONNECT and reload).
    var account: Account {
        get { boundAccount.withLock { $0 } }
        set { boundAccount.withLock { $0 = newValue } }
    }

    /// Sets the `allow_responses` grant this connection's received requests give it.
    func setResponsePermission(_ permission: ResponsePermission?) {
        outbound.withLock {
            $0.responses = permission
            if permission == nil { $0.replyGrants.removeAll() }
        }
    }

    /// Whether a publish to `subject` is allowed by a reply grant (consumes one use).
    func useReplyGrant(_ subject: String, limit: ResponsePermission) -> Bool {
        outbound.withLock { s in
            guard var grant = s.replyGrants[subject] else { return false }
            grant.uses += 1
            if limit.maxMessages > 0 && grant.uses > limit.maxMessages {
                s.replyGrants[subject] = nil
                return false
            }
            if limit.expires > .zero && ContinuousClock.now - grant.granted > limit.expires {
                s.replyGrants[subject] = nil
                return false
            }
            s.replyGrants[subject] = grant
            return true
        }
    }

    /// A subscription of this connection as monitoring shows it.
    func info(of subscription: Subscription) -> SubscriptionInfo {
        let (delivered, limit) = outbound.withLock { _ in (subscription.delivered, subscription.deliveryLimit) }
        return SubscriptionInfo(account: account.name, subject: subscription.subject, qgroup: subscription.queue,
                                sid: subscription.sidString, msgs: delivered, max: limit > 0 ? limit : nil, cid: id)
    }

    /// Copies delivery counters to a subscription that replaces another.
    func carryCounters(from old: Subscription, to new: Subscription) {
        outbound.withLock { _ in
            new.delivered = old.delivered
            new.deliveryLimit = old.deliveryLimit
        }
    }

    /// Applies `UNSUB <sid> <max>`: returns false when the subscription should go now
    /// (no max, or max already reached), true when it stays until `max` deliveries.
    func setDeliveryLimit(_ subscription: Subscription, max: Int) -> Bool {
        outbound.withLock { _ in
            guard max > 0, max > subscription.delivered else { return false }
            subscription.deliveryLimit = max
            return true
        }
    }
}
