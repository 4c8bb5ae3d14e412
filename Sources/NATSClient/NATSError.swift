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
    /// No TCP connection could be made to `server` (`host:port`); `reason` is the system's.
    case cannotConnect(server: String, reason: String)
    /// The server refused the credentials: its `-ERR` text, normally `Authorization Violation`
    /// (also `User Authentication Expired` and `User Authentication Revoked`). It closes the
    /// connection after sending it.
    case authorizationViolation(String)
    /// The credentials in the options are unusable (an invalid seed, an unreadable creds file,
    /// an NKey together with a creds file).
    case invalidCredentials(String)
    /// The client demands TLS but the server offers none (neither `tls_required` nor
    /// `tls_available` in its INFO).
    case tlsNotAvailable
    /// The TLS settings could not be loaded (an unreadable or invalid CA, certificate or key).
    case tlsConfiguration(String)
    /// The TLS handshake failed (an untrusted or mismatched server certificate, a refused
    /// client certificate, a server that does not speak TLS, …).
    case tlsHandshakeFailed(String)
}

extension NATSError {
    /// Whether this is a server `-ERR` about permissions (`Permissions Violation for Publish
    /// to "x"`, `… for Subscription to "y"`). nats-server keeps the connection open after it.
    public var isPermissionViolation: Bool {
        guard case .serverError(let text) = self else { return false }
        return text.lowercased().hasPrefix("permissions violation")
    }

    /// The error for an `-ERR` text: authorization failures get their own case.
    static func fromServer(_ text: String) -> NATSError {
        let lower = text.lowercased()
        if lower.hasPrefix("authorization violation") || lower.hasPrefix("user authentication") {
            return .authorizationViolation(text)
        }
        return .serverError(text)
    }
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
        case .cannotConnect(let server, let reason): return "cannot connect to \(server): \(reason)"
        case .authorizationViolation(let text): return "authentication failed: \(text)"
        case .invalidCredentials(let reason): return "invalid credentials: \(reason)"
        case .tlsNotAvailable: return "secure connection not available: the server does not offer TLS"
        case .tlsConfiguration(let reason): return "TLS configuration: \(reason)"
        case .tlsHandshakeFailed(let reason): return "TLS handshake failed: \(reason)"
        }
    }
}
