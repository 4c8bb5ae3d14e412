import Synchronization

/// Server-wide counters, updated without locks.
public final class ServerStats: Sendable {
    /// Messages received from clients.
    public let inMsgs = Atomic<Int>(0)
    /// Payload bytes received from clients.
    public let inBytes = Atomic<Int>(0)
    /// Messages delivered to clients.
    public let outMsgs = Atomic<Int>(0)
    /// Payload bytes delivered to clients.
    public let outBytes = Atomic<Int>(0)
    /// Connections closed as slow consumers.
    public let slowConsumers = Atomic<Int>(0)
    /// Messages received from routes.
    public let routeInMsgs = Atomic<Int>(0)
    /// Payload bytes received from routes.
    public let routeInBytes = Atomic<Int>(0)
    /// Connections closed as stale.
    public let staleConnections = Atomic<Int>(0)
    /// Connections accepted since start.
    public let totalConnections = Atomic<Int>(0)

    /// Creates zeroed counters.
    public init() {}
}
