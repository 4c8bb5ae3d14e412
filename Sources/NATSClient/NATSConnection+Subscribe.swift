import NIOCore
import NATSWire

extension NATSConnection {
    /// Subscribes to `subject` (wildcards allowed), optionally in a queue group; iterate the
    /// returned subscription to receive messages. At most
    /// ``NATSClientOptions/maxPendingMessages`` wait unread; beyond that new ones are dropped
    /// and reported as ``NATSError/slowConsumer(subject:sid:)``.
    public func subscribe(to subject: String, queue: String? = nil) async throws -> NATSSubscription {
        let (stream, continuation) = AsyncStream.makeStream(of: NATSMessage.self,
                                                            bufferingPolicy: .bufferingOldest(core.options.maxPendingMessages))
        return try await subscribe(subject, queue, .stream(continuation), stream: stream)
    }

    /// Subscribes with a callback, called on the connection's event loop for each message.
    /// Keep it short: it delays every other message of this connection.
    public func subscribe(to subject: String, queue: String? = nil,
                          handler: @escaping @Sendable (NATSMessage) -> Void) async throws -> NATSSubscription {
        try await subscribe(subject, queue, .callback(handler), stream: nil)
    }

    /// Subscribes with an in-place frame handler (see ``NATSFrameHandler``): nothing is decoded
    /// or copied per message.
    public func subscribeFrames(to subject: String, queue: String? = nil,
                                handler: @escaping NATSFrameHandler) async throws -> NATSSubscription {
        try await subscribe(subject, queue, .frames(handler), stream: nil)
    }

    /// Registers the subscription on the event loop, then sends SUB (in that order, so no
    /// message can arrive for an unknown sid).
    func subscribe(_ subject: String, _ queue: String?, _ sink: SubscriptionSink,
                   stream: AsyncStream<NATSMessage>?) async throws -> NATSSubscription {
        let sid = try await subscribeFuture(subject, queue, sink).get()
        return NATSSubscription(connection: self, sid: sid, subject: subject, queue: queue, stream: stream)
    }

    func subscribeFuture(_ subject: String, _ queue: String?, _ sink: SubscriptionSink) -> EventLoopFuture<Int> {
        do {
            try Self.validate(subject)
            if let queue { try Self.validate(queue) }
        } catch {
            return core.eventLoop.makeFailedFuture(error)
        }
        let sid = core.nextSid()
        let handler = self.handler
        let outbound = core.outbound
        return core.eventLoop.submit {
            handler.value.add(SubscriptionEntry(sid: sid, subject: subject, sink: sink))
            try outbound.append { out in
                out.writeStaticString("SUB ")
                out.writeString(subject)
                if let queue {
                    out.writeStaticString(" ")
                    out.writeString(queue)
                }
                out.writeStaticString(" ")
                out.writeDecimal(sid)
                out.writeStaticString("\r\n")
            }
            return sid
        }
    }

    /// Sends `UNSUB <sid> [max]`; with `max`, the subscription ends after that many messages
    /// in total (counting those already delivered).
    func unsubscribe(sid: Int, max: Int?) throws {
        let handler = self.handler
        let outbound = core.outbound
        try outbound.append { out in
            out.writeStaticString("UNSUB ")
            out.writeDecimal(sid)
            if let max {
                out.writeStaticString(" ")
                out.writeDecimal(max)
            }
            out.writeStaticString("\r\n")
        }
        core.eventLoop.execute {
            handler.value.unsubscribe(sid: sid, max: max ?? 0)
        }
    }
}
