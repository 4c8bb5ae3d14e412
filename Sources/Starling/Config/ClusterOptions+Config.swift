import NATSConfig
import StarlingTLS

/// Decoding of the `cluster {}` block (nats-server opts.go: parseCluster).
extension ClusterOptions {
    /// Reads a `cluster {}` block; errors carry file:line:col.
    init(from node: ConfigNode) throws {
        self.init()
        position = node.position
        for entry in try node.requireEntries() {
            let value = entry.node
            switch entry.key.lowercased() {
            case "name":
                let text = try value.requireString()
                guard !text.isEmpty, !text.contains(where: { $0 == " " || $0 == "\t" }) else {
                    throw value.error("cluster name cannot contain spaces or new lines")
                }
                name = text
            case "listen":
                try applyListen(value)
            case "port":
                port = try Self.port(value, value.requireInt())
            case "host", "net":
                host = try value.requireString()
            case "authorization":
                try applyAuthorization(value)
            case "routes":
                routes = try value.requireArray().map { item in
                    let text = try item.requireString()
                    guard let url = RouteURL(text) else { throw item.error("error parsing route url [\"\(text)\"]") }
                    return url
                }
            case "tls":
                let settings = try TLSSettings(from: value)
                try settings.validate(for: .cluster)
                tls = settings
            case "cluster_advertise", "advertise":
                advertise = try value.requireString()
            case "no_advertise":
                noAdvertise = try value.requireBool()
            case "connect_retries":
                connectRetries = try value.requireInt()
            case "connect_backoff":
                connectBackoff = try value.requireBool()
            case "pool_size":
                poolSize = try value.requireInt()
            case "accounts":
                pinnedAccounts = try value.requireArray().map { try $0.requireString() }
            case "ping_interval":
                pingInterval = try value.duration()
            case "ping_max":
                pingMax = try value.requireInt()
            case "compression":
                if value.bool == false || ["off", "disabled", "not_supported"].contains(value.string?.lowercased() ?? "") {
                    continue
                }
                throw value.error("route compression is not supported by this build; set compression: off")
            case "permissions":
                let parsed = try AuthConfiguration.permissions(value)
                if parsed.allowResponses != nil {
                    throw value.error("Cluster permissions do not support dynamic responses")
                }
                permissions = parsed
            case "write_deadline", "write_timeout", "pool_size_max":
                continue
            default:
                if entry.isUsedAsVariable { continue }
                throw ConfigError("unknown field \"\(entry.key)\"", at: entry.keyPosition)
            }
        }
    }

    private mutating func applyListen(_ node: ConfigNode) throws {
        if let port = node.int {
            self.port = try Self.port(node, port)
            return
        }
        let text = try node.requireString()
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else {
            throw node.error("expected host:port, got \"\(text)\"")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if !host.isEmpty { self.host = host }
        self.port = try Self.port(node, port)
    }

    /// nats-server allows one user (no users array, no token) in a cluster's authorization.
    private mutating func applyAuthorization(_ node: ConfigNode) throws {
        var auth = AuthConfiguration()
        try auth.applyAuthorization(node)
        if !auth.users.isEmpty { throw node.error("Cluster authorization does not allow multiple users") }
        if auth.token != nil { throw node.error("Cluster authorization does not support tokens") }
        username = auth.singleUser?.username
        password = auth.singleUser?.password
        authTimeout = auth.timeout
    }

    private static func port(_ node: ConfigNode, _ port: Int) throws -> Int {
        if port == -1 { return 0 }
        guard (0...65535).contains(port) else { throw node.error("port \(port) is out of range") }
        return port
    }
}
