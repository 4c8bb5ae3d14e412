import StarlingTLS

/// The settings a server runs with; defaults are nats-server's (server/const.go).
public struct ServerOptions: Sendable {
    /// Host to listen on for clients.
    public var host = "0.0.0.0"
    /// Client port; 0 picks a free port (nats-server's -1 is mapped to 0).
    public var port = 4222
    /// The server's name; defaults to the server id.
    public var serverName: String?
    /// Largest message payload a client may publish.
    public var maxPayload = 1_048_576
    /// Longest protocol control line.
    public var maxControlLine = 4096
    /// Most client connections at once (0: unlimited).
    public var maxConnections = 64 * 1024
    /// Most subscriptions per connection (0: unlimited).
    public var maxSubscriptions = 0
    /// Most bytes waiting to be written to one connection before it is a slow consumer.
    public var maxPending = 64 * 1024 * 1024
    /// Interval between server PINGs.
    public var pingInterval: Duration = .seconds(120)
    /// Unanswered PINGs before a connection is stale.
    public var pingMax = 2
    /// How long a write may stall before the connection is closed as a slow consumer.
    public var writeDeadline: Duration = .seconds(10)
    /// Time a client has to authenticate (used once authentication is configured).
    public var authTimeout: Duration = .seconds(2)
    /// How long lame duck mode takes to close every client.
    public var lameDuckDuration: Duration = .seconds(120)
    /// Wait in lame duck mode before the first client is closed.
    public var lameDuckGracePeriod: Duration = .seconds(10)
    /// Debug logging.
    public var debug = false
    /// Protocol tracing.
    public var trace = false
    /// Log timestamps.
    public var logTime = true
    /// Clustering: the route listener and the routes to solicit; nil runs standalone.
    public var cluster: ClusterOptions?
    /// `host:port` clients are told to use for this server (`connect_urls`) instead of the listener's.
    public var clientAdvertise: String?
    /// Whether clients may use message headers (`no_header_support` turns them off).
    public var headers = true
    /// Monitoring HTTP port; nil disables monitoring, 0 picks a free port.
    public var httpPort: Int?
    /// Monitoring host; defaults to `host`.
    public var httpHost: String?
    /// Path prefix of the monitoring endpoints.
    public var httpBasePath = ""
    /// Log file; nil logs to standard error.
    public var logFile: String?
    /// Rotate the log file when it would pass this size (0: never).
    public var logSizeLimit: Int64 = 0
    /// Log files kept, the live one included (0: all).
    public var logMaxFiles = 0
    /// Where to write the process id.
    public var pidFile: String?
    /// Directory for the `<exe>_<pid>.ports` file.
    public var portsFileDirectory: String?
    /// JetStream storage directory (accepted for compatibility; JetStream is not implemented).
    public var storeDirectory: String?
    /// Configuration keys that were accepted but not acted on, with positions (logged at start).
    public var warnings: [String] = []
    /// TLS of the client listener (and of the HTTPS monitor), from `tls {}` or the `--tls*` flags.
    public var tls: TLSSettings?
    /// HTTPS monitoring port (uses `tls`); nil disables it, 0 picks a free port.
    public var httpsPort: Int?
    /// Users, accounts, permissions.
    public var auth = AuthConfiguration()
    /// Number of event loops; 0 uses one per core.
    public var eventLoops = 0

    /// Creates default options.
    public init() {}
}
