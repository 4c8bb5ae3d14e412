import NIOCore

/// A connection's way back to its link handler: weak, and usable only on the connection's event
/// loop. The handler owns its connection; were the connection to own the handler too, every
/// closed connection would keep both alive. Once the channel is gone, `value` is nil.
struct LinkHandlerReference<Handler: AnyObject>: Sendable {
    private final class Box {
        weak var handler: Handler?
        init(_ handler: Handler) { self.handler = handler }
    }

    private let bound: NIOLoopBound<Box>

    /// Refers to `handler`, which lives on `eventLoop`.
    init(_ handler: Handler, eventLoop: any EventLoop) {
        bound = NIOLoopBound(Box(handler), eventLoop: eventLoop)
    }

    /// The handler while its channel is open. Only on the event loop.
    var value: Handler? { bound.value.handler }
}
