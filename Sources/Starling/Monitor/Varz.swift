import Foundation

/// The /varz document (nats-server monitor.go: Varz); field names are Go's.
struct Varz: Encodable {
    struct Empty: Encodable {}

    var serverID: String
    var serverName: String
    var version: String
    var proto = 1
    var go: String
    var host: String
    var port: Int
    var authRequired: Bool?
    var tlsRequired: Bool?
    var tlsVerify: Bool?
    var maxConnections: Int
    var maxSubscriptions: Int?
    var pingInterval: Int64
    var pingMax: Int
    var httpHost: String
    var httpPort: Int
    var httpBasePath: String
    var httpsPort: Int
    var authTimeout: Double
    var maxControlLine: Int
    var maxPayload: Int
    var maxPending: Int
    var cluster: ClusterVarz
    var gateway = Empty()
    var leaf = Empty()
    var mqtt = Empty()
    var websocket = Empty()
    var jetstream = Empty()
    var tlsTimeout: Double
    var writeDeadline: Int64
    var start: String
    var now: String
    var uptime: String
    var mem: Int
    var cores: Int
    var gomaxprocs: Int
    var cpu: Double
    var connections: Int
    var totalConnections: Int
    var routes: Int
    var remotes = 0
    var leafnodes = 0
    var inMsgs: Int
    var outMsgs: Int
    var inBytes: Int
    var outBytes: Int
    var slowConsumers: Int
    var staleConnections: Int
    var subscriptions: Int
    var httpReqStats: [String: Int]
    var configLoadTime: String
    var systemAccount: String

    enum CodingKeys: String, CodingKey {
        case version, proto, go, host, port, cluster, gateway, leaf, mqtt, websocket, jetstream, start, now, uptime
        case mem, cores, gomaxprocs, cpu, connections, routes, remotes, leafnodes, subscriptions
        case serverID = "server_id", serverName = "server_name", authRequired = "auth_required"
        case tlsRequired = "tls_required", tlsVerify = "tls_verify"
        case maxConnections = "max_connections", maxSubscriptions = "max_subscriptions"
        case pingInterval = "ping_interval", pingMax = "ping_max"
        case httpHost = "http_host", httpPort = "http_port", httpBasePath = "http_base_path", httpsPort = "https_port"
        case authTimeout = "auth_timeout", maxControlLine = "max_control_line", maxPayload = "max_payload"
        case maxPending = "max_pending", tlsTimeout = "tls_timeout", writeDeadline = "write_deadline"
        case totalConnections = "total_connections", inMsgs = "in_msgs", outMsgs = "out_msgs"
        case inBytes = "in_bytes", outBytes = "out_bytes", slowConsumers = "slow_consumers"
        case staleConnections = "stale_connections", httpReqStats = "http_req_stats"
        case configLoadTime = "config_load_time", systemAccount = "system_account"
    }
}

extension Monitor {
    func varz() -> Varz {
        let o = server.options
        let now = Date()
        let usage = ProcessUsage.current()
        let uptime = now.timeIntervalSince(server.startTime)
        return Varz(
            serverID: server.serverID, serverName: o.serverName ?? server.serverID,
            version: StarlingVersion.compatible, go: "starling\(StarlingVersion.starling)",
            host: o.host, port: server.clientPort ?? o.port,
            authRequired: server.authenticator.required ? true : nil,
            tlsRequired: o.tls != nil ? true : nil,
            tlsVerify: (o.tls?.verify ?? false) || (o.tls?.verifyAndMap ?? false) ? true : nil,
            maxConnections: o.maxConnections, maxSubscriptions: o.maxSubscriptions > 0 ? o.maxSubscriptions : nil,
            pingInterval: Self.nanoseconds(o.pingInterval), pingMax: o.pingMax,
            httpHost: o.httpHost ?? o.host, httpPort: boundPort, httpBasePath: o.httpBasePath,
            httpsPort: server.secureMonitorPort ?? 0,
            authTimeout: Double(Self.nanoseconds(o.authTimeout)) / 1e9,
            maxControlLine: o.maxControlLine, maxPayload: o.maxPayload, maxPending: o.maxPending,
            cluster: clusterVarz(),
            tlsTimeout: Double(Self.nanoseconds(o.tls?.timeout ?? .seconds(2))) / 1e9,
            writeDeadline: Self.nanoseconds(o.writeDeadline),
            start: GoFormat.timestamp(server.startTime), now: GoFormat.timestamp(now),
            uptime: GoFormat.uptime(uptime), mem: usage.residentBytes, cores: ProcessInfo.processInfo.activeProcessorCount,
            gomaxprocs: ProcessInfo.processInfo.activeProcessorCount,
            cpu: uptime > 0 ? (usage.cpuSeconds / uptime * 1000).rounded() / 10 : 0,
            connections: server.connectionCount,
            totalConnections: server.stats.totalConnections.load(ordering: .relaxed),
            routes: server.cluster?.registeredLinks.count ?? 0,
            inMsgs: server.stats.inMsgs.load(ordering: .relaxed) + server.stats.routeInMsgs.load(ordering: .relaxed),
            outMsgs: server.outMsgs,
            inBytes: server.stats.inBytes.load(ordering: .relaxed) + server.stats.routeInBytes.load(ordering: .relaxed),
            outBytes: server.outBytes,
            slowConsumers: server.stats.slowConsumers.load(ordering: .relaxed),
            staleConnections: server.stats.staleConnections.load(ordering: .relaxed),
            subscriptions: server.globalAccount.sublist.count,
            httpReqStats: requestCounts(), configLoadTime: GoFormat.timestamp(server.startTime),
            systemAccount: server.systemAccount.name)
    }

    /// The `cluster` object of /varz (empty when standalone, as nats-server's omitempty fields).
    private func clusterVarz() -> ClusterVarz {
        guard let cluster = server.cluster else { return ClusterVarz() }
        let options = cluster.options
        return ClusterVarz(name: cluster.name, addr: options.host, clusterPort: cluster.port,
                           authTimeout: options.username == nil ? nil
                               : Double(Self.nanoseconds(options.authTimeout ?? server.options.authTimeout)) / 1e9,
                           urls: options.routes.isEmpty ? nil : options.routes.map(\.description),
                           tlsTimeout: options.tls.map { Double(Self.nanoseconds($0.timeout)) / 1e9 },
                           tlsRequired: options.tls != nil ? true : nil,
                           tlsVerify: options.tls?.verify == true ? true : nil,
                           poolSize: options.poolSize > 0 ? options.poolSize : nil)
    }

    static func nanoseconds(_ d: Duration) -> Int64 {
        d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
    }
}

/// /varz `cluster` (nats-server monitor.go: ClusterOptsVarz); route URLs without credentials.
struct ClusterVarz: Encodable {
    var name: String?
    var addr: String?
    var clusterPort: Int?
    var authTimeout: Double?
    var urls: [String]?
    var tlsTimeout: Double?
    var tlsRequired: Bool?
    var tlsVerify: Bool?
    var poolSize: Int?

    enum CodingKeys: String, CodingKey {
        case name, addr, urls
        case clusterPort = "cluster_port", authTimeout = "auth_timeout", tlsTimeout = "tls_timeout"
        case tlsRequired = "tls_required", tlsVerify = "tls_verify", poolSize = "pool_size"
    }
}
