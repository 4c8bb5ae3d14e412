import NATSConfig

extension ServerOptions {
    /// Reads a nats-server configuration file into options; errors carry file:line:col.
    public static func load(configFile path: String) throws -> ServerOptions {
        var options = ServerOptions()
        try options.apply(ConfigParser.parse(fileAt: path))
        return options
    }

    /// Applies the top-level keys of a parsed configuration. Unknown keys are errors, as in
    /// nats-server, except keys only used as `$variables`.
    public mutating func apply(_ root: ConfigNode) throws {
        for entry in try root.requireEntries() {
            let key = entry.key.lowercased()
            guard let setter = Self.setters[key] else {
                if entry.isUsedAsVariable { continue }
                if Self.notYetSupported.contains(key) {
                    throw ConfigError("\"\(entry.key)\" is a nats-server option this Starling build does not support yet",
                                      at: entry.keyPosition)
                }
                throw ConfigError("unknown field \"\(entry.key)\"", at: entry.keyPosition)
            }
            try setter(&self, entry.node)
        }
    }

    /// nats-server keys of features still to come: refused by name rather than silently ignored,
    /// so that a configuration never runs with less protection than it asks for.
    private static let notYetSupported: Set<String> = [
        "tls", "cluster", "leafnodes",
        "gateway", "jetstream", "https", "https_port", "operator",
        "resolver", "websocket", "mqtt", "mappings",
    ]

    private typealias Setter = @Sendable (inout ServerOptions, ConfigNode) throws -> Void

    /// The keys this build understands, by lower-cased name.
    private static let setters: [String: Setter] = [
        "listen": { o, n in try o.applyListen(n) },
        "host": { o, n in o.host = try n.requireString() },
        "net": { o, n in o.host = try n.requireString() },
        "port": { o, n in o.port = try port(n) },
        "server_name": { o, n in o.serverName = try n.requireString() },
        "max_payload": { o, n in o.maxPayload = try positive(n) },
        "max_control_line": { o, n in o.maxControlLine = try positive(n) },
        "max_connections": { o, n in o.maxConnections = try nonNegative(n) },
        "max_conn": { o, n in o.maxConnections = try nonNegative(n) },
        "max_subscriptions": { o, n in o.maxSubscriptions = try nonNegative(n) },
        "max_subs": { o, n in o.maxSubscriptions = try nonNegative(n) },
        "max_pending": { o, n in o.maxPending = try positive(n) },
        "ping_interval": { o, n in o.pingInterval = try positiveDuration(n) },
        "ping_max": { o, n in o.pingMax = try positive(n) },
        "write_deadline": { o, n in o.writeDeadline = try positiveDuration(n) },
        "http_port": { o, n in o.httpPort = try port(n) },
        "monitor_port": { o, n in o.httpPort = try port(n) },
        "http": { o, n in try o.applyHTTPListen(n) },
        "http_base_path": { o, n in o.httpBasePath = try n.requireString() },
        "lame_duck_duration": { o, n in o.lameDuckDuration = try positiveDuration(n) },
        "lame_duck_grace_period": { o, n in o.lameDuckGracePeriod = try n.duration() },
        "authorization": { o, n in try o.auth.applyAuthorization(n) },
        "accounts": { o, n in try o.auth.applyAccounts(n) },
        "no_auth_user": { o, n in
            o.auth.noAuthUser = try n.requireString()
            o.auth.noAuthUserPosition = n.position
        },
        "system_account": { o, n in o.auth.systemAccount = try n.requireString() },
        "log_file": { o, n in o.logFile = try n.requireString() },
        "logfile": { o, n in o.logFile = try n.requireString() },
        "logfile_size_limit": { o, n in o.logSizeLimit = Int64(try nonNegative(n)) },
        "log_size_limit": { o, n in o.logSizeLimit = Int64(try nonNegative(n)) },
        "logfile_max_num": { o, n in o.logMaxFiles = try nonNegative(n) },
        "log_max_num": { o, n in o.logMaxFiles = try nonNegative(n) },
        "pid_file": { o, n in o.pidFile = try n.requireString() },
        "pidfile": { o, n in o.pidFile = try n.requireString() },
        "ports_file_dir": { o, n in o.portsFileDirectory = try n.requireString() },
        "debug": { o, n in o.debug = try n.requireBool() },
        "trace": { o, n in o.trace = try n.requireBool() },
        "logtime": { o, n in o.logTime = try n.requireBool() },
    ]

    private mutating func applyListen(_ node: ConfigNode) throws {
        let (host, port) = try Self.hostPort(node)
        if let host { self.host = host }
        self.port = port
    }

    private mutating func applyHTTPListen(_ node: ConfigNode) throws {
        let (host, port) = try Self.hostPort(node)
        if let host { httpHost = host }
        httpPort = port
    }

    /// `port`, `host:port` or `[ipv6]:port`.
    private static func hostPort(_ node: ConfigNode) throws -> (String?, Int) {
        if let port = node.int { return (nil, try Self.port(node, value: port)) }
        let text = try node.requireString()
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else {
            throw node.error("expected host:port, got \"\(text)\"")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? nil : host, try Self.port(node, value: port))
    }

    private static func port(_ node: ConfigNode, value: Int? = nil) throws -> Int {
        let port = try value ?? node.requireInt()
        if port == -1 { return 0 }
        guard (0...65535).contains(port) else { throw node.error("port \(port) is out of range") }
        return port
    }

    private static func positive(_ node: ConfigNode) throws -> Int {
        let value = try node.requireInt()
        guard value > 0 else { throw node.error("expected a positive value, got \(value)") }
        return value
    }

    private static func nonNegative(_ node: ConfigNode) throws -> Int {
        let value = try node.requireInt()
        guard value >= 0 else { throw node.error("expected zero or a positive value, got \(value)") }
        return value
    }

    private static func positiveDuration(_ node: ConfigNode) throws -> Duration {
        let value = try node.duration()
        guard value > .zero else { throw node.error("expected a positive duration") }
        return value
    }
}
