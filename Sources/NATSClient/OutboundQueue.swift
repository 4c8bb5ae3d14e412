import NIOCore
import Synchronization

/// A connection's outbound bytes: appended from any thread, written by the channel's event loop.
///
/// Small writes (PUB, SUB, PING…) are copied into one growing buffer; pre-encoded buffers are
/// queued as they are (no copy) with an optional write promise. The first append after a flush
/// schedules one flush on the loop, so a burst of publishes becomes one socket write. The PONG
/// waiters live under the same mutex so each PING and its waiter enter in the same order.
final class OutboundQueue: Sendable {
    private struct State {
        var chunks: [(ByteBuffer, EventLoopPromise<Void>?)] = []
        var current: ByteBuffer?
        var flushScheduled = false
        var channel: (any Channel)?
        var closed = false
        /// What appends throw once closed: the reason the connection ended.
        var closeReason = NATSError.connectionClosed
        var pongWaiters = CircularBuffer<EventLoopPromise<Void>>()
    }

    let eventLoop: any EventLoop
    private let state = Mutex(State())

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Copies bytes written by `body` into the queue.
    func append(_ body: (inout ByteBuffer) -> Void) throws(NATSError) {
        let schedule = try state.withLock { s throws(NATSError) -> Bool in
            guard !s.closed else { throw s.closeReason }
            if s.current == nil { s.current = ByteBufferAllocator().buffer(capacity: 4096) }
            body(&s.current!)
            return Self.markScheduled(&s)
        }
        if schedule { scheduleFlush() }
    }

    /// Appends `PING` and the promise its `PONG` will complete.
    func appendPing(_ promise: EventLoopPromise<Void>) throws(NATSError) {
        let schedule = try state.withLock { s throws(NATSError) -> Bool in
            guard !s.closed else { throw s.closeReason }
            if s.current == nil { s.current = ByteBufferAllocator().buffer(capacity: 256) }
            s.current!.writeStaticString("PING\r\n")
            s.pongWaiters.append(promise)
            return Self.markScheduled(&s)
        }
        if schedule { scheduleFlush() }
    }

    /// Queues a pre-encoded buffer without copying; `promise` completes once it is written.
    func appendBuffer(_ buffer: ByteBuffer, promise: EventLoopPromise<Void>?) throws(NATSError) {
        let schedule = try state.withLock { s throws(NATSError) -> Bool in
            guard !s.closed else { throw s.closeReason }
            if let current = s.current, current.readableBytes > 0 {
                s.chunks.append((current, nil))
                s.current = nil
            }
            s.chunks.append((buffer, promise))
            return Self.markScheduled(&s)
        }
        if schedule { scheduleFlush() }
    }

    /// Takes the waiter of the oldest outstanding PING.
    func popPongWaiter() -> EventLoopPromise<Void>? {
        state.withLock { $0.pongWaiters.popFirst() }
    }

    /// Sets the channel once it is active and writes whatever was queued before.
    func attach(_ channel: any Channel) {
        state.withLock { $0.channel = channel }
        flushNow()
    }

    /// Marks the queue closed and fails every waiter, and every later append, with `error`.
    func close(_ error: NATSError) {
        let (waiters, promises) = state.withLock { s in
            s.closed = true
            s.closeReason = error
            let waiters = Array(s.pongWaiters)
            s.pongWaiters.removeAll()
            let promises = s.chunks.compactMap(\.1)
            s.chunks.removeAll()
            s.current = nil
            return (waiters, promises)
        }
        for w in waiters { w.fail(error) }
        for p in promises { p.fail(error) }
    }

    /// Writes everything queued. Must run on the event loop.
    func flushNow() {
        eventLoop.preconditionInEventLoop()
        let (chunks, current, channel) = state.withLock { s -> ([(ByteBuffer, EventLoopPromise<Void>?)], ByteBuffer?, (any Channel)?) in
            s.flushScheduled = false
            guard let channel = s.channel else { return ([], nil, nil) }
            let chunks = s.chunks
            let current = s.current
            s.chunks = []
            s.current = nil
            return (chunks, current, channel)
        }
        guard let channel else { return }
        for (buffer, promise) in chunks { channel.write(buffer, promise: promise) }
        if let current, current.readableBytes > 0 { channel.write(current, promise: nil) }
        channel.flush()
    }

    private static func markScheduled(_ s: inout State) -> Bool {
        guard !s.flushScheduled, s.channel != nil else { return false }
        s.flushScheduled = true
        return true
    }

    private func scheduleFlush() {
        eventLoop.execute { self.flushNow() }
    }
}
