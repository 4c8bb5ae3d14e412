/// A route INFO as nats-server sends it (route.go: generateRouteInitialInfoJSON), decoded from
/// peers and encoded for them. Absent fields stay nil and are left out when encoding.
struct RouteInfo: Codable, Sendable, Equatable {
    var serverID: String
    var serverName: String?
    var version: String?
    var go: String?
    var proto: Int?
    var host: String?
    var port: Int?
    var authRequired: Bool?
    var tlsRequired: Bool?
    var tlsVerify: Bool?
    var maxPayload: Int?
    var headers: Bool?
    var cluster: String?
    var clusterDynamic: Bool?
    var connectURLs: [String]?
    var ip: String?
    var lameDuckMode: Bool?
    var lnoc: Bool?
    var lnocu: Bool?
    var nonce: String?
    var routePoolSize: Int?
    var routePoolIndex: Int?
    var routeAccount: String?
    var gossipMode: Int?
    var gatewayURL: String?
    var importPermission: RouteSubjectPermission?
    var exportPermission: RouteSubjectPermission?

    enum CodingKeys: String, CodingKey {
        case serverID = "server_id", serverName = "server_name", version, go, proto, host, port
        case authRequired = "auth_required", tlsRequired = "tls_required", tlsVerify = "tls_verify"
        case maxPayload = "max_payload", headers, cluster, clusterDynamic = "cluster_dynamic"
        case connectURLs = "connect_urls", ip, lameDuckMode = "ldm", lnoc, lnocu, nonce
        case routePoolSize = "route_pool_size", routePoolIndex = "route_pool_idx", routeAccount = "route_account"
        case gossipMode = "gossip_mode", gatewayURL = "gateway_url"
        case importPermission = "import", exportPermission = "export"
    }

    init(serverID: String) {
        self.serverID = serverID
    }
}

/// `cluster.permissions` import or export rules as route INFO carries them (Go's SubjectPermission).
struct RouteSubjectPermission: Codable, Sendable, Equatable {
    var allow: [String]?
    var deny: [String]?

    init(_ rules: SubjectRules) {
        allow = rules.allow
        deny = rules.deny.isEmpty ? nil : rules.deny
    }
}

/// A route CONNECT (route.go: sendRouteConnect; client.go: connectInfo). `lang` or `gateway`
/// present means a client or a gateway dialled the route port by mistake.
struct RouteConnect: Codable, Sendable {
    var echo: Bool?
    var verbose: Bool?
    var pedantic: Bool?
    var user: String?
    var pass: String?
    var tlsRequired: Bool?
    var headers: Bool?
    var name: String?
    var cluster: String?
    var clusterDynamic: Bool?
    var lnoc: Bool?
    var lnocu: Bool?
    var lang: String?
    var gateway: String?

    enum CodingKeys: String, CodingKey {
        case echo, verbose, pedantic, user, pass, tlsRequired = "tls_required", headers, name, cluster
        case clusterDynamic = "cluster_dynamic", lnoc, lnocu, lang, gateway
    }
}
