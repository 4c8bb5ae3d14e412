import NIOCore

extension NATSConnection {
    /// Publishes a request and waits for the first reply.
    ///
    /// Replies arrive on one wildcard inbox subscription per connection (`_INBOX.<random>.*`,
    /// made on first use). Throws ``NATSError/noResponders`` when the server reports that
    /// nobody is subscribed, ``NATSError/timeout`` when no reply came in time.
    public func request(subject: String, payload: [UInt8] = [], headers: NATSHeaders? = nil,
                        timeout: Duration? = nil) async throws -> NATSMessage {
        try await requestFuture(subject: subject, payload: payload, headers: headers, timeout: timeout).get()
    }

    /// A future form of ``request(subject:payload:headers:timeout:)`` for event-loop code.
    public func requestFuture(subject: String, payload: [UInt8] = [], headers: NATSHeaders? = nil,
                              timeout: Duration? = nil) -> EventLoopFuture<NATSMessage> {
        let loop = core.eventLoop
        let requests = core.requests
        let ready = requests.inboxReady {
            subscribeFuture(requests.prefix + "*", nil, .inbox).map { _ in () }
        }
        let wait = TimeAmount(timeout ?? core.options.requestTimeout)
        return ready.flatMap { [self] () -> EventLoopFuture<NATSMessage> in
            let promise = loop.makePromise(of: NATSMessage.self)
            let (reply, token) = requests.register(promise)
            do {
                try publish(subject: subject, reply: reply, payload: payload, headers: headers)
            } catch {
                _ = requests.take(token)
                promise.fail(error)
                return promise.futureResult
            }
            let timer = loop.scheduleTask(in: wait) {
                if let waiting = requests.take(token) { waiting.fail(NATSError.timeout) }
            }
            promise.futureResult.whenComplete { _ in timer.cancel() }
            return promise.futureResult
        }
    }
}
