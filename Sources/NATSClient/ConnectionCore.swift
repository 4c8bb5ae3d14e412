import NIOCore
import Synchronization

/// The state a connection shares between its public face (any thread) and its channel
/// handler (the event loop). Everything here is a `let`, a mutex, an atomic or a promise.
final class ConnectionCore: Sendable {
    let options: NATSClientOptions
    let eventLoop: any EventLoop
    let outbound: OutboundQueue
    let requests = RequestMux()
    /// Completed by the first INFO.
    let firstInfo: EventLoopPromise<NATSServerInfo>
    /// Completed when the channel has gone.
    let closed: EventLoopPromise<Void>
    let info = Mutex<NATSServerInfo?>(nil)
    let lastError = Mutex<NATSError?>(nil)
    /// Why the connection failed, when the reason says more than "closed" (a failed TLS
    /// handshake); the first one recorded wins.
    let failure = Mutex<NATSError?>(nil)
    let isClosed = Atomic<Bool>(false)
    private let lastSid = Atomic<Int>(0)

    init(options: NATSClientOptions, eventLoop: any EventLoop) {
        self.options = options
        self.eventLoop = eventLoop
        self.outbound = OutboundQueue(eventLoop: eventLoop)
        self.firstInfo = eventLoop.makePromise()
        self.closed = eventLoop.makePromise()
    }

    /// The next subscription id.
    func nextSid() -> Int {
        lastSid.add(1, ordering: .relaxed).newValue
    }

    /// Records an asynchronous error and tells the user's handler.
    func report(_ error: NATSError) {
        lastError.withLock { $0 = error }
        options.errorHandler?(error)
    }

    /// Records why the connection failed, unless a reason is known already.
    func fail(_ error: NATSError) {
        failure.withLock { if $0 == nil { $0 = error } }
    }

    /// Fails everything that waits: the connection is gone. Waiters get the recorded failure,
    /// else the last server error (the `-ERR` a server sends before it closes), else
    /// ``NATSError/connectionClosed``.
    func connectionLost() {
        isClosed.store(true, ordering: .releasing)
        let reason: NATSError = failure.withLock { $0 } ?? lastError.withLock { error in
            switch error {
            case .serverError?, .authorizationViolation?: return error!
            default: return .connectionClosed
            }
        }
        outbound.close(reason)
        requests.failAll(reason)
        firstInfo.fail(reason)
        closed.succeed()
    }
}
