import NIOCore

/// A connection to a NATS server (Starling or nats-server).
///
/// Thread-safe: publish, subscribe, request and flush may be called from any task or thread.
/// Publishes are buffered and written by the connection's event loop in batches; ``flush(timeout:)``
/// waits until the server has processed everything sent before it.
///
/// ```swift
/// let nc = try await NATSConnection.connect(url: "nats://127.0.0.1:4222")
/// let sub = try await nc.subscribe(to: "greet.*")
/// try nc.publish(subject: "greet.joe", payload: Array("hello".utf8))
/// for await msg in sub { print(msg.string); break }
/// await nc.close()
/// ```
public final class NATSConnection: Sendable {
    let core: ConnectionCore
    let handler: NIOLoopBound<NATSChannelHandler>
    /// The NIO channel of the connection.
    public let channel: any Channel
    private let initialInfo: NATSServerInfo

    init(core: ConnectionCore, handler: NIOLoopBound<NATSChannelHandler>, channel: any Channel, info: NATSServerInfo) {
        self.core = core
        self.handler = handler
        self.channel = channel
        self.initialInfo = info
    }

    /// The event loop the connection runs on; handlers and callbacks are called on it.
    public var eventLoop: any EventLoop { core.eventLoop }

    /// The server's latest INFO.
    public var serverInfo: NATSServerInfo { core.info.withLock { $0 } ?? initialInfo }

    /// The most recent asynchronous error (a server `-ERR`, a slow-consumer drop), if any.
    public var lastError: NATSError? { core.lastError.withLock { $0 } }

    /// Whether the connection has closed.
    public var isClosed: Bool { core.isClosed.load(ordering: .acquiring) }

    /// Publishes `payload` to `subject`, with an optional reply subject and headers.
    /// Buffered: returns at once; use ``flush(timeout:)`` to wait until the server has it.
    public func publish(subject: String, reply: String? = nil, payload: [UInt8] = [], headers: NATSHeaders? = nil) throws {
        try Self.validate(subject)
        if let reply { try Self.validate(reply) }
        let block = headers?.encoded()
        try core.outbound.append { out in
            payload.withUnsafeBytes { body in
                if let block {
                    block.withUnsafeBytes { out.writePublish(subject: subject, reply: reply, headers: $0, payload: body) }
                } else {
                    out.writePublish(subject: subject, reply: reply, headers: nil, payload: body)
                }
            }
        }
    }

    /// Sends PING and waits for the server's PONG: everything published before has been
    /// processed by the server when this returns.
    public func flush(timeout: Duration = .seconds(10)) async throws {
        try await flushFuture(timeout: timeout).get()
    }

    /// A future form of ``flush(timeout:)`` for event-loop code.
    public func flushFuture(timeout: Duration = .seconds(10)) -> EventLoopFuture<Void> {
        let promise = core.eventLoop.makePromise(of: Void.self)
        do {
            try core.outbound.appendPing(promise)
        } catch {
            promise.fail(error)
            return promise.futureResult
        }
        let timer = core.eventLoop.scheduleTask(in: TimeAmount(timeout)) { promise.fail(NATSError.timeout) }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }

    /// Unsubscribes every subscription, waits (up to `timeout`) for the messages already on
    /// their way to be delivered, then closes.
    public func drain(timeout: Duration = .seconds(10)) async throws {
        let handler = self.handler
        let outbound = core.outbound
        try await core.eventLoop.submit {
            for sid in handler.value.sids {
                try outbound.append { out in
                    out.writeStaticString("UNSUB ")
                    out.writeDecimal(sid)
                    out.writeStaticString("\r\n")
                }
            }
        }.get()
        let result: Result<Void, any Error>
        do {
            try await flush(timeout: timeout)
            result = .success(())
        } catch {
            result = .failure(error)
        }
        await close()
        try result.get()
    }

    /// Closes the connection; pending requests and flushes fail with ``NATSError/connectionClosed``
    /// and subscription streams end.
    public func close() async {
        channel.close(promise: nil)
        try? await core.closed.futureResult.get()
    }

    /// Completes when the connection has closed, for whatever reason.
    public var closeFuture: EventLoopFuture<Void> { core.closed.futureResult }

    /// Rejects empty subjects and subjects with whitespace (which would break the protocol line).
    static func validate(_ subject: String) throws(NATSError) {
        if subject.isEmpty || subject.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
            throw .invalidSubject(subject)
        }
    }
}
