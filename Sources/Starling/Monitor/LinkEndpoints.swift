/// /leafz: no leaf node connections yet (nats-server monitor.go: Leafz).
struct Leafz: Encodable {
    var serverID: String
    var now: String
    var leafnodes = 0
    var leafs: [String] = []

    enum CodingKeys: String, CodingKey {
        case now, leafnodes, leafs
        case serverID = "server_id"
    }
}

/// /gatewayz: no gateways yet (nats-server monitor.go: Gatewayz).
struct Gatewayz: Encodable {
    var serverID: String
    var now: String
    var name: String
    var host: String
    var port: Int
    var outboundGateways: [String: String] = [:]
    var inboundGateways: [String: String] = [:]

    enum CodingKeys: String, CodingKey {
        case now, name, host, port
        case serverID = "server_id", outboundGateways = "outbound_gateways", inboundGateways = "inbound_gateways"
    }
}
