import NIOCore
import NATSWire
import Synchronization

/// The thread-safe face of a client connection: its outbound buffer, which any event loop may
/// append to, and its subscriptions.
///
/// Appends take the `outbound` mutex (never a hop per message); the buffer is written by the
/// connection's own event loop when it goes from empty to scheduled (see ``flush()``).
final class ClientConnection: Sendable {
    /// Connection id (`cid`).
    let id: UInt64
    /// The NIO channel.
    let channel: any Channel
    /// The loop that owns the channel.
    let eventLoop: any EventLoop
    private let boundAccount: Mutex<Account>
    fileprivate let outbound: Mutex<OutboundState>
    /// Subscriptions by sid; touched by the owner on SUB/UNSUB and by publishers on auto-unsubscribe.
    let subscriptions = Mutex<[String: Subscription]>([:])
    /// The link's state machine, reachable only on `eventLoop` (monitoring snapshots hop there).
    let handler: NIOLoopBound<ClientHandler>

    init(id: UInt64, channel: any Channel, account: Account, maxPending: Int, writeDeadline: TimeAmount,
         handler: NIOLoopBound<ClientHandler>) {
        self.id = id
        self.channel = channel
        self.eventLoop = channel.eventLoop
        self.boundAccount = Mutex(account)
        self.handler = handler
        self.outbound = Mutex(OutboundState(buffer: channel.allocator.buffer(capacity: 512), maxPending: maxPending,
                                            writeDeadline: writeDeadline))
    }

    /// What became of one delivery attempt.
    enum Delivery {
        /// Queued; `needsFlush` is true when the caller must arrange a flush (the buffer was idle),
        /// `flushNow` when the buffer just passed ``urgentFlushBytes`` and should not wait for
        /// the end of the publisher's batch.
        case queued(needsFlush: Bool, flushNow: Bool, limitReached: Bool)
        /// Not queued: the connection is closed or the subscription has reached its limit.
        case dropped
        /// Queuing would pass max_pending: the connection is now marked as a slow consumer.
        case slowConsumer
    }

    /// Buffered bytes past which a subscriber is flushed at once rather than at the end of the
    /// publisher's read batch (keeps a large batch from looking like a slow consumer).
    static var urgentFlushBytes: Int { 64 * 1024 }

    /// Appends a MSG/HMSG for `subscription` (headers stripped when the client cannot take them).
    func deliver(_ subscription: Subscription, subject: UnsafeRawBufferPointer, reply: UnsafeRawBufferPointer,
                 headerLength: Int, body: UnsafeRawBufferPointer) -> Delivery {
        outbound.withLock { s in
            guard !s.closed else { return .dropped }
            if subscription.deliveryLimit > 0 && subscription.delivered >= subscription.deliveryLimit { return .dropped }
            var headerLength = headerLength
            var body = body
            if headerLength >= 0 && !s.headers {
                body = body.span(headerLength..<body.count)
                headerLength = -1
            }
            let before = s.buffer.writerIndex
            subscription.sid.withUnsafeBytes { sid in
                s.buffer.writeMessage(subject: subject, sid: sid, reply: reply, headerLength: headerLength, body: body)
            }
            let added = s.buffer.writerIndex - before
            if s.pending + added > s.maxPending {
                s.buffer.moveWriterIndex(to: before)
                s.closed = true
                s.slowConsumer = true
                return .slowConsumer
            }
            s.pending += added
            if reply.count > 0, let responses = s.responses { s.grant(reply, limit: responses) }
            s.outMsgs += 1
            s.outBytes += body.count
            subscription.delivered += 1
            let needsFlush = !s.flushScheduled
            s.flushScheduled = true
            let buffered = s.buffer.writerIndex - s.buffer.readerIndex
            let flushNow = buffered >= Self.urgentFlushBytes && buffered - added < Self.urgentFlushBytes
            let limitReached = subscription.deliveryLimit > 0 && subscription.delivered >= subscription.deliveryLimit
            return .queued(needsFlush: needsFlush, flushNow: flushNow, limitReached: limitReached)
        }
    }

    /// Appends protocol bytes (INFO, PONG, +OK, -ERR) and reports whether a flush must be arranged.
    @discardableResult
    func enqueue(_ write: (inout ByteBuffer) -> Void) -> Bool {
        outbound.withLock { s in
            guard !s.closed else { return false }
            let before = s.buffer.writerIndex
            write(&s.buffer)
            s.pending += s.buffer.writerIndex - before
            let needsFlush = !s.flushScheduled
            s.flushScheduled = true
            return needsFlush
        }
    }

    /// Applies reloaded limits.
    func setLimits(maxPending: Int, writeDeadline: TimeAmount) {
        outbound.withLock {
            $0.maxPending = maxPending
            $0.writeDeadline = writeDeadline
        }
    }

    /// Records the client's CONNECT `headers` flag, read by every delivery.
    func setHeadersSupported(_ on: Bool) {
        outbound.withLock { $0.headers = on }
    }

    /// Writes everything queued. Must run on `eventLoop`.
    func flush() {
        let taken: (ByteBuffer, watch: UInt64?)? = outbound.withLock { s in
            s.flushScheduled = false
            guard s.buffer.readableBytes > 0 else { return nil }
            let out = s.buffer
            s.buffer = channel.allocator.buffer(capacity: min(max(out.readableBytes, 512), 1 << 20))
            s.writesIssued &+= 1
            let watch = s.deadlineArmed ? nil : s.writesIssued
            s.deadlineArmed = true
            return (out, watch)
        }
        guard let (buffer, watch) = taken else { return }
        if let watch { watchWriteDeadline(forWrite: watch) }
        let size = buffer.readableBytes
        channel.writeAndFlush(buffer).whenComplete { [self] _ in
            outbound.withLock { s in
                s.pending -= size
                s.writesCompleted &+= 1
            }
        }
    }

    /// Closes the connection as a slow consumer if write number `target` has not completed
    /// within write_deadline; keeps watching while newer writes are outstanding.
    private func watchWriteDeadline(forWrite target: UInt64) {
        let deadline = outbound.withLock { $0.writeDeadline }
        eventLoop.scheduleTask(in: deadline) { [self] in
            let (stalled, next): (Bool, UInt64?) = outbound.withLock { s in
                if s.writesCompleted < target && !s.closed {
                    s.slowConsumer = true
                    s.stalledWrite = true
                    s.closed = true
                    return (true, nil)
                }
                if s.writesCompleted < s.writesIssued { return (false, s.writesIssued) }
                s.deadlineArmed = false
                return (false, nil)
            }
            if stalled {
                channel.close(promise: nil)
            } else if let next {
                watchWriteDeadline(forWrite: next)
            }
        }
    }

    /// Arranges a flush from any thread: directly when already on the loop, else one hop.
    func scheduleFlush() {
        if eventLoop.inEventLoop {
            flush()
        } else {
            eventLoop.execute { [self] in flush() }
        }
    }

    /// Messages and payload bytes delivered so far.
    var deliveredCounts: (msgs: Int, bytes: Int) {
        outbound.withLock { ($0.outMsgs, $0.outBytes) }
    }

    /// Bytes queued or in flight.
    var pendingBytes: Int { outbound.withLock { $0.pending } }

    /// Stops all further queuing; returns true if this call closed it and it was a slow consumer.
    func markClosed() -> Bool {
        outbound.withLock { s in
            let wasSlow = s.slowConsumer && !s.closeReported
            s.closed = true
            s.closeReported = true
            return wasSlow
        }
    }


    /// Whether the connection was closed because a write stalled past write_deadline.
    var stalledWrite: Bool { outbound.withLock { $0.stalledWrite } }
}

/// The outbound side of a connection; only touched under ``ClientConnection``'s mutex.
struct OutboundState {
    var buffer: ByteBuffer
    var maxPending: Int
    var writeDeadline: TimeAmount
    var pending = 0
    var flushScheduled = false
    var closed = false
    var slowConsumer = false
    var closeReported = false
    var headers = false
    var outMsgs = 0
    var outBytes = 0
    var writesIssued: UInt64 = 0
    var writesCompleted: UInt64 = 0
    var deadlineArmed = false
    var stalledWrite = false
    var replyGrants: [String: ReplyGrant] = [:]
    var responses: ResponsePermission?

    /// Records a reply subject the client received, bounded as nats-server bounds it.
    mutating func grant(_ reply: UnsafeRawBufferPointer, limit: ResponsePermission) {
        if replyGrants.count >= 10_000 {
            let now = ContinuousClock.now
            replyGrants = replyGrants.filter { limit.expires == .zero || now - $0.value.granted < limit.expires }
            if replyGrants.count >= 10_000 { replyGrants.removeAll() }
        }
        replyGrants[String(decoding: reply, as: UTF8.self)] = ReplyGrant(granted: .now, uses: 0)
    }
}

/// A reply subject a connection may publish to (`allow_responses`).
struct ReplyGrant {
    var granted: ContinuousClock.Instant
    var uses: Int
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
