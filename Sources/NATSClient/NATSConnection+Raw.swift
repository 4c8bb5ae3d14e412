import NIOCore

extension NATSConnection {
    /// Queues pre-encoded protocol bytes (e.g. a run of `PUB` frames) without copying them,
    /// in order with everything else sent on this connection. The future completes when the
    /// bytes were written to the socket, which lets a caller bound what it has in flight.
    @discardableResult
    public func sendEncoded(_ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let promise = core.eventLoop.makePromise(of: Void.self)
        do {
            try core.outbound.appendBuffer(buffer, promise: promise)
        } catch {
            promise.fail(error)
        }
        return promise.futureResult
    }

    /// Appends protocol bytes written by `body` to the outbound buffer (copied, batched with
    /// other writes). For event-loop code that encodes from byte slices, e.g. a responder
    /// answering to a reply subject it holds in place.
    public func sendEncoding(_ body: (inout ByteBuffer) -> Void) throws {
        try core.outbound.append(body)
    }
}
