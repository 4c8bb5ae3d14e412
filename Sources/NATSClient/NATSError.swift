/// Errors reported by ``NATSConnection`` and its subscriptions.
public enum NATSError: Error, Sendable, Equatable {
    /// The server URL could not be understood.
    case invalidURL(String)
    /// A subject or queue name is empty or contains whitespace.
    case invalidSubject(String)
    /// The connection is closed (or closed while the operation waited).
    case connectionClosed
    /// The operation did not complete in time.
    case timeout
    /// A request found no subscriber: the server answered with a 503 status.
    case noResponders
    /// The server sent `-ERR`; the text is the server's, without the surrounding quotes.
    case serverError(String)
    /// The server sent bytes that are not valid NATS protocol.
    case protocolError(String)
    /// A subscription's local buffer was full, so a message was dropped.
    case slowConsumer(subject: String, sid: Int)
}

extension NATSError: CustomStringConvertible {
    /// A one-line human-readable description.
    public var description: String {
        switch self {
        case .invalidURL(let url): return "invalid NATS URL '\(url)'"
        case .invalidSubject(let subject): return "invalid subject '\(subject)'"
        case .connectionClosed: return "connection closed"
        case .timeout: return "timed out"
        case .noResponders: return "no responders available for request"
        case .serverError(let text): return "server error: \(text)"
        case .protocolError(let text): return "protocol error: \(text)"
        case .slowConsumer(let subject, let sid): return "slow consumer on '\(subject)' (sid \(sid)): message dropped"
        }
    }
}
