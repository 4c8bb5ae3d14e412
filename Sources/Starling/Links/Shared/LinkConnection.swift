import NIOCore
import Synchronization

/// The thread-safe outbound face shared by every link kind (client, route): a buffer any event
/// loop may append to under one mutex (never a hop per message), written by the connection's own
/// event loop when it goes from empty to scheduled (see ``flush()``), bounded by max_pending and
/// write_deadline.
///
/// `@unchecked Sendable` because it is subclassed per link kind; it holds only `let`s, and its
/// mutable state is the `outbound` mutex.
class LinkConnection: @unchecked Sendable {
    /// Connection id (`cid` for clients, `rid` for routes).
    let id: UInt64
    /// The NIO channel.
    let channel: any Channel
    /// The loop that owns the channel.
    let eventLoop: any EventLoop
    /// Everything queued for the peer; see ``OutboundState``.
    let outbound: Mutex<OutboundState>

    init(id: UInt64, channel: any Channel, maxPending: Int, writeDeadline: TimeAmount) {
        self.id = id
        self.channel = channel
        self.eventLoop = channel.eventLoop
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
        // Weak: a closed connection need not live on until its deadline passes.
        eventLoop.scheduleTask(in: deadline) { [weak self] in
            guard let self else { return }
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

/// The outbound side of a connection; only touched under ``LinkConnection``'s mutex.
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
    /// Route links pinned to one account leave the account out of RS+/RS-/RMSG.
    var omitAccount = false
    var outMsgs = 0
    var outBytes = 0
    var writesIssued: UInt64 = 0
    var writesCompleted: UInt64 = 0
    var deadlineArmed = false
    var stalledWrite = false
    var replyGrants: [String: ReplyGrant] = [:]
    var responses: ResponsePermission?

    /// The message body a delivery may carry: without its header block when the peer takes no
    /// headers (then `headerLength` becomes -1).
    func deliverable(_ headerLength: inout Int, _ body: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard headerLength >= 0 && !headers else { return body }
        defer { headerLength = -1 }
        return body.span(headerLength..<body.count)
    }

    /// Accounts for a message just written after `before`: undoes it and marks a slow consumer
    /// when it would pass max_pending (nil), else returns whether a flush must be arranged and
    /// whether the buffer just passed ``LinkConnection/urgentFlushBytes``.
    mutating func commitMessage(since before: Int, payload: Int) -> (needsFlush: Bool, flushNow: Bool)? {
        let added = buffer.writerIndex - before
        if pending + added > maxPending {
            buffer.moveWriterIndex(to: before)
            closed = true
            slowConsumer = true
            return nil
        }
        pending += added
        outMsgs += 1
        outBytes += payload
        let needsFlush = !flushScheduled
        flushScheduled = true
        let buffered = buffer.writerIndex - buffer.readerIndex
        let urgent = LinkConnection.urgentFlushBytes
        return (needsFlush, buffered >= urgent && buffered - added < urgent)
    }

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

