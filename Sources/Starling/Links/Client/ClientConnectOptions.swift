/// The CONNECT options a client sends (nats-server client.go: ClientOpts).
///
/// Absent fields take nats-server's defaults: verbose, pedantic and echo are on.
struct ClientConnectOptions: Decodable, Sendable {
    var verbose = true
    var pedantic = true
    var echo = true
    var headers = false
    var noResponders = false
    var tlsRequired = false
    var `protocol` = 0
    var name: String?
    var lang: String?
    var version: String?
    var user: String?
    var pass: String?
    var authToken: String?
    var nkey: String?
    var sig: String?
    var jwt: String?

    init() {}

    enum CodingKeys: String, CodingKey {
        case verbose, pedantic, echo, headers, name, lang, version, user, pass, nkey, sig, jwt
        case noResponders = "no_responders"
        case tlsRequired = "tls_required"
        case `protocol` = "protocol"
        case authToken = "auth_token"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        verbose = try c.decodeIfPresent(Bool.self, forKey: .verbose) ?? true
        pedantic = try c.decodeIfPresent(Bool.self, forKey: .pedantic) ?? true
        echo = try c.decodeIfPresent(Bool.self, forKey: .echo) ?? true
        headers = try c.decodeIfPresent(Bool.self, forKey: .headers) ?? false
        noResponders = try c.decodeIfPresent(Bool.self, forKey: .noResponders) ?? false
        tlsRequired = try c.decodeIfPresent(Bool.self, forKey: .tlsRequired) ?? false
        `protocol` = try c.decodeIfPresent(Int.self, forKey: .protocol) ?? 0
        name = try c.decodeIfPresent(String.self, forKey: .name)
        lang = try c.decodeIfPresent(String.self, forKey: .lang)
        version = try c.decodeIfPresent(String.self, forKey: .version)
        user = try c.decodeIfPresent(String.self, forKey: .user)
        pass = try c.decodeIfPresent(String.self, forKey: .pass)
        authToken = try c.decodeIfPresent(String.self, forKey: .authToken)
        nkey = try c.decodeIfPresent(String.self, forKey: .nkey)
        sig = try c.decodeIfPresent(String.self, forKey: .sig)
        jwt = try c.decodeIfPresent(String.self, forKey: .jwt)
    }
}
