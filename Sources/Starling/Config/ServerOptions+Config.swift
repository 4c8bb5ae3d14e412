import NATSConfig
import StarlingTLS

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
                if let reason = Self.ignored[key] {
                    warnings.append("\(entry.keyPosition): \"\(entry.key)\" ignored: \(reason)")
                    continue
                }
                throw ConfigError("unknown field \"\(entry.key)\"", at: entry.keyPosition)
            }
            try setter(&self, entry.node)
        }
    }

    /// nats-server keys of features still to come that change who may connect or where
    /// messages go: refused by name, so that a configuration never runs with less protection
    /// or different routing than it asks for.
    private static let notYetSupported: Set<String> = [
        "operator", "operators", "roots", "root", "root_operators", "root_operator",
        "trusted", "trusted_keys", "resolver", "account_resolver", "accounts_resolver", "resolver_tls",
        "resolver_preload", "resolver_pinned_accounts", "default_sentinel", "mappings", "maps", "allow_non_tls",
        "ocsp", "proxy_protocol", "proxies",
    ]

    /// nats-server keys this build accepts without acting on them, each with the reason logged
    /// as a warning at start-up: listeners that are simply not opened, and tunables of
    /// nats-server internals.
    private static let ignored: [String: String] = [
        "leafnodes": "leaf nodes are not implemented by this build; no leaf node listener is opened",
        "leaf": "leaf nodes are not implemented by this build; no leaf node listener is opened",
        "ws": "WebSocket is not implemented by this build; no WebSocket listener is opened",
        "gateway": "gateways are not implemented by this build; no gateway listener is opened",
        "jetstream": "JetStream is not implemented by this build",
        "websocket": "WebSocket is not implemented by this build; no WebSocket listener is opened",
        "mqtt": "MQTT is not implemented by this build; no MQTT listener is opened",
        "max_traced_msg_len": "tracing prints whole protocol lines",
        "connect_error_reports": "route connection errors are logged on the first attempt and then once a minute",
        "reconnect_error_reports": "route connection errors are logged on the first attempt and then once a minute",
        "disable_sublist_cache": "the sublist cache is bounded and always on",
        "max_closed_clients": "the closed-connection history holds 10,000 entries",
        "prof_port": "no Go profiler",
        "syslog": "logs go to standard error or log_file",
        "remote_syslog": "logs go to standard error or log_file",
        "server_tags": "tags are not reported",
        "tags": "tags are not reported",
        "trace_headers": "tracing prints whole protocol lines",
        "logtime_utc": "log times are local",
        "max_sub_tokens": "subjects are limited by max_control_line only",
        "max_subscription_tokens": "subjects are limited by max_control_line only",
        "write_timeout": "a stalled write always closes the connection as a slow consumer",
        "server_metadata": "metadata is not reported",
        "feature_flags": "no nats-server feature flags apply",
        "default_js_domain": "JetStream is not implemented by this build",
        "ocsp_cache": "OCSP is not implemented by this build",
        "prof_block_rate": "no Go profiler",
        "no_fast_producer_stall": "publishers are never stalled",
        "no_system_account": "the system account always exists and is unreachable by clients",
        "no_system": "the system account always exists and is unreachable by clients",
        "no_sys_acc": "the system account always exists and is unreachable by clients",
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
        "https_port": { o, n in o.httpsPort = try port(n) },
        "https": { o, n in
            let (host, port) = try hostPort(n)
            if let host { o.httpHost = host }
            o.httpsPort = port
        },
        "tls": { o, n in
            let settings = try TLSSettings(from: n)
            try settings.validate(for: .client)
            o.tls = settings
        },
        "cluster": { o, n in o.cluster = try ClusterOptions(from: n) },
        "client_advertise": { o, n in o.clientAdvertise = try n.requireString() },
        "lame_duck_duration": { o, n in o.lameDuckDuration = try positiveDuration(n) },
        "lame_duck_grace_period": { o, n in o.lameDuckGracePeriod = try n.duration() },
        "authorization": { o, n in try o.auth.applyAuthorization(n) },
        "accounts": { o, n in try o.auth.applyAccounts(n) },
        "no_auth_user": { o, n in
            o.auth.noAuthUser = try n.requireString()
            o.auth.noAuthUserPosition = n.position
        },
        "system_account": { o, n in o.auth.systemAccount = try n.requireString() },
        "system": { o, n in o.auth.systemAccount = try n.requireString() },
        "store_dir": { o, n in o.storeDirectory = try n.requireString() },
        "storedir": { o, n in o.storeDirectory = try n.requireString() },
        "trace_verbose": { o, n in o.trace = try n.requireBool() || o.trace },
        "no_header_support": { o, n in o.headers = !(try n.requireBool()) },
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
