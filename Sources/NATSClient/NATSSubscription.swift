/// A subscription. Iterate it (`for await msg in sub`) when it was made without a handler;
/// the iteration ends when the subscription or the connection ends.
public final class NATSSubscription: AsyncSequence, Sendable {
    /// The element type: one message.
    public typealias Element = NATSMessage

    /// The subscription id on this connection.
    public let sid: Int
    /// The subject (may contain wildcards).
    public let subject: String
    /// The queue group, if any.
    public let queue: String?
    private let connection: NATSConnection
    private let stream: AsyncStream<NATSMessage>

    init(connection: NATSConnection, sid: Int, subject: String, queue: String?, stream: AsyncStream<NATSMessage>?) {
        self.connection = connection
        self.sid = sid
        self.subject = subject
        self.queue = queue
        self.stream = stream ?? AsyncStream { $0.finish() }
    }

    /// Iterates the received messages (empty for handler-based subscriptions).
    public func makeAsyncIterator() -> AsyncStream<NATSMessage>.Iterator {
        stream.makeAsyncIterator()
    }

    /// Ends the subscription now, or, with `max`, once `max` messages in total were delivered.
    public func unsubscribe(max: Int? = nil) throws {
        try connection.unsubscribe(sid: sid, max: max)
    }
}
