/// The server's `INFO`: what it is and what it supports.
public struct NATSServerInfo: Sendable, Equatable, Decodable {
    /// The server's unique id.
    public var serverID: String
    /// The server's name.
    public var serverName: String
    /// The nats-server version it reports.
    public var version: String
    /// The Go version (nats-server), or the implementation name (Starling reports `starling…`).
    public var go: String
    /// The host it listens on.
    public var host: String
    /// The client port.
    public var port: Int
    /// Protocol level (1 supports dynamic INFO updates).
    public var proto: Int
    /// Whether the server understands `HPUB`/`HMSG`.
    public var headers: Bool
    /// Largest payload the server accepts.
    public var maxPayload: Int
    /// This connection's id on the server.
    public var clientID: UInt64?
    /// This connection's address as the server sees it.
    public var clientIP: String?
    /// Whether the server requires authentication.
    public var authRequired: Bool
    /// Whether the server requires TLS.
    public var tlsRequired: Bool
    /// Whether the server accepts TLS without requiring it (`allow_non_tls`).
    public var tlsAvailable: Bool
    /// Whether the server asks for a client certificate.
    public var tlsVerify: Bool
    /// A nonce to sign for NKey authentication.
    public var nonce: String?
    /// Other client URLs of the cluster.
    public var connectURLs: [String]

    enum CodingKeys: String, CodingKey {
        case version, go, host, port, proto, headers, nonce
        case serverID = "server_id"
        case serverName = "server_name"
        case maxPayload = "max_payload"
        case clientID = "client_id"
        case clientIP = "client_ip"
        case authRequired = "auth_required"
        case tlsRequired = "tls_required"
        case tlsAvailable = "tls_available"
        case tlsVerify = "tls_verify"
        case connectURLs = "connect_urls"
    }

    /// Decodes an INFO object; absent fields get neutral defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        serverID = try c.decodeIfPresent(String.self, forKey: .serverID) ?? ""
        serverName = try c.decodeIfPresent(String.self, forKey: .serverName) ?? ""
        version = try c.decodeIfPresent(String.self, forKey: .version) ?? ""
        go = try c.decodeIfPresent(String.self, forKey: .go) ?? ""
        host = try c.decodeIfPresent(String.self, forKey: .host) ?? ""
        port = try c.decodeIfPresent(Int.self, forKey: .port) ?? 0
        proto = try c.decodeIfPresent(Int.self, forKey: .proto) ?? 0
        headers = try c.decodeIfPresent(Bool.self, forKey: .headers) ?? false
        maxPayload = try c.decodeIfPresent(Int.self, forKey: .maxPayload) ?? 1_048_576
        clientID = try c.decodeIfPresent(UInt64.self, forKey: .clientID)
        clientIP = try c.decodeIfPresent(String.self, forKey: .clientIP)
        authRequired = try c.decodeIfPresent(Bool.self, forKey: .authRequired) ?? false
        tlsRequired = try c.decodeIfPresent(Bool.self, forKey: .tlsRequired) ?? false
        tlsAvailable = try c.decodeIfPresent(Bool.self, forKey: .tlsAvailable) ?? false
        tlsVerify = try c.decodeIfPresent(Bool.self, forKey: .tlsVerify) ?? false
        nonce = try c.decodeIfPresent(String.self, forKey: .nonce)
        connectURLs = try c.decodeIfPresent([String].self, forKey: .connectURLs) ?? []
    }
}
