import Foundation

/// The INFO a server sends to clients (nats-server server.go: Info). Encoded once; each
/// client's copy appends its `client_id` and `client_ip`.
struct ServerInfo: Encodable {
    var serverID: String
    var serverName: String
    var version: String
    var proto = 1
    var go: String
    var host: String
    var port: Int
    var headers = true
    var maxPayload: Int
    var authRequired: Bool?
    var tlsRequired: Bool?
    var tlsVerify: Bool?
    var tlsAvailable: Bool?
    var connectURLs: [String]?
    var ldm: Bool?

    enum CodingKeys: String, CodingKey {
        case version, proto, go, host, port, headers, ldm
        case serverID = "server_id"
        case serverName = "server_name"
        case maxPayload = "max_payload"
        case authRequired = "auth_required"
        case tlsRequired = "tls_required"
        case tlsVerify = "tls_verify"
        case tlsAvailable = "tls_available"
        case connectURLs = "connect_urls"
    }

    /// The JSON object without its closing brace, ready for per-client fields.
    func openJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        var text = String(decoding: data, as: UTF8.self)
        text.removeLast()
        return text
    }
}

/// Starling's version, and the nats-server protocol level it implements (sent as `version`,
/// which clients use to decide which features they may use).
public enum StarlingVersion {
    /// This build's version.
    public static let starling = "0.1.0"
    /// The nats-server release whose client protocol Starling speaks.
    public static let compatible = "2.10.0"
}
