import NATSKeys
import NIOCore

/// How a ``NATSConnection`` connects and what it announces in `CONNECT`.
public struct NATSClientOptions: Sendable {
    /// Server host name or address.
    public var host = "127.0.0.1"
    /// Server port.
    public var port = 4222
    /// User name for user/password authentication.
    public var user: String?
    /// Password for user/password authentication.
    public var password: String?
    /// Token for token authentication.
    public var token: String?
    /// NKey authentication: the user's key pair. Its public key goes in `CONNECT` as `nkey`, with
    /// `sig`, its signature of the server's nonce. Takes precedence over ``nkeySeed``.
    public var nkey: KeyPair?
    /// NKey authentication from text: a seed (`SU…`) or the contents of a seed file (the first
    /// line starting with `SU`, or a decorated `-----BEGIN USER NKEY SEED-----` block). Checked
    /// when connecting; an invalid seed fails with ``NATSError/invalidCredentials(_:)``.
    public var nkeySeed: String?
    /// A `.creds` file (user JWT and seed), read on each connect: `CONNECT` carries `jwt` and
    /// `sig` (the seed's signature of the nonce), as nats.go sends them. Not combinable with
    /// ``nkey``/``nkeySeed``.
    public var credentialsFile: String?
    /// Demand TLS even when the server does not require it (set by a `tls://` URL). TLS is used
    /// anyway when the server's INFO says `tls_required`.
    public var tlsRequired = false
    /// PEM file of the certificate authorities that verify the server (default: the system's).
    public var tlsCAFile: String?
    /// PEM certificate presented to the server (mutual TLS); needs ``tlsKeyFile``.
    public var tlsCertFile: String?
    /// PEM private key of ``tlsCertFile``.
    public var tlsKeyFile: String?
    /// Skip verification of the server's certificate and name. For tests only.
    public var tlsInsecure = false
    /// Start TLS before the server's INFO (the server needs `handshake_first`).
    public var tlsHandshakeFirst = false
    /// Connection name shown in the server's monitoring.
    public var name: String?
    /// Ask the server to acknowledge every operation with `+OK` (off by default).
    public var verbose = false
    /// Ask the server for strict subject checking (off by default).
    public var pedantic = false
    /// Announce header support (`HPUB`/`HMSG`); needed for ``noResponders``.
    public var headers = true
    /// Ask the server for a 503 status when a request has no subscriber.
    public var noResponders = true
    /// Whether the server may deliver this connection's own publishes back to it.
    public var echo = true
    /// Time allowed for TCP connect plus the INFO/CONNECT/PING handshake.
    public var connectTimeout: Duration = .seconds(5)
    /// Default time a ``NATSConnection/request(subject:payload:headers:timeout:)`` waits.
    public var requestTimeout: Duration = .seconds(5)
    /// Messages a stream subscription buffers before it drops new ones as a slow consumer.
    public var maxPendingMessages = 65_536
    /// Largest single socket read, in bytes.
    public var maxReadSize = 1 << 20
    /// Event loops to run on; `nil` uses NIO's shared singleton group.
    public var eventLoopGroup: (any EventLoopGroup)?
    /// Called (on the connection's event loop) with asynchronous errors: server `-ERR`s and
    /// slow-consumer drops. Keep it short; it must not block.
    public var errorHandler: (@Sendable (NATSError) -> Void)?

    /// Options for `127.0.0.1:4222` with the defaults above.
    public init() {}

    /// Options for a server given as `nats://[user[:password]@]host[:port]`, `host:port` or
    /// `host`. A user without a password is taken as a token, as other NATS clients do. A
    /// `tls://` URL sets ``tlsRequired``.
    public init(url: String) throws(NATSError) {
        self.init()
        let parsed = try NATSURL(url)
        host = parsed.host
        port = parsed.port
        tlsRequired = parsed.tls
        if let user = parsed.user {
            if let password = parsed.password {
                self.user = user
                self.password = password
            } else {
                token = user
            }
        }
    }
}
