import NATSWire

/// Receives a message frame in place: the ranges in the ``MessageFrame`` index into the buffer,
/// which is valid only during the call. Runs on the connection's event loop; no allocation or
/// hop per message, which makes it the path for load generators and other hot consumers.
public typealias NATSFrameHandler = @Sendable (MessageFrame, UnsafeRawBufferPointer) -> Void

/// Where a subscription's messages go.
enum SubscriptionSink: Sendable {
    /// Called with each message on the event loop.
    case callback(@Sendable (NATSMessage) -> Void)
    /// Yielded into an `AsyncStream`.
    case stream(AsyncStream<NATSMessage>.Continuation)
    /// Handed over in place, undecoded.
    case frames(NATSFrameHandler)
    /// The connection's request inbox.
    case inbox
}

/// A live subscription as the event loop sees it. Only touched on the connection's event loop.
final class SubscriptionEntry {
    let sid: Int
    let subject: String
    let sink: SubscriptionSink
    /// The frame handler when `sink` is `.frames`, kept apart so the hot path needs no enum switch.
    let frames: NATSFrameHandler?
    var delivered = 0
    /// Auto-unsubscribe after this many deliveries (0: no limit).
    var max = 0
    var reportedSlow = false

    init(sid: Int, subject: String, sink: SubscriptionSink) {
        self.sid = sid
        self.subject = subject
        self.sink = sink
        if case .frames(let handler) = sink { frames = handler } else { frames = nil }
    }

    /// Ends the subscription's stream, if it has one.
    func finish() {
        if case .stream(let continuation) = sink { continuation.finish() }
    }
}
