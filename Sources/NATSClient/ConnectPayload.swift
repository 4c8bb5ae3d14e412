import Foundation

/// The JSON of the client's `CONNECT` (nats-server client.go: ClientOpts). Absent optionals
/// are left out, as nats.go's `omitempty` does.
struct ConnectPayload: Encodable {
    var verbose: Bool
    var pedantic: Bool
    var tlsRequired = false
    var name: String?
    var lang = "swift"
    var version = "0.1.0"
    var `protocol` = 1
    var echo: Bool
    var headers: Bool
    var noResponders: Bool
    var user: String?
    var pass: String?
    var authToken: String?
    var jwt: String?
    var nkey: String?
    var sig: String?

    enum CodingKeys: String, CodingKey {
        case verbose, pedantic, name, lang, version, `protocol`, echo, headers, user, pass, jwt, nkey, sig
        case tlsRequired = "tls_required"
        case noResponders = "no_responders"
        case authToken = "auth_token"
    }

    init(options: NATSClientOptions) {
        verbose = options.verbose
        pedantic = options.pedantic
        name = options.name
        echo = options.echo
        headers = options.headers
        noResponders = options.noResponders && options.headers
        user = options.user
        pass = options.password
        authToken = options.token
    }

    /// The payload for a connection that uses TLS or not, with `credentials` answering the
    /// INFO's `nonce`.
    init(options: NATSClientOptions, tls: Bool, credentials: ClientCredentials?, nonce: String?) throws(NATSError) {
        self.init(options: options)
        tlsRequired = tls
        if let credentials {
            jwt = credentials.jwt
            nkey = credentials.nkey
            sig = try credentials.signature(nonce: nonce)
        }
    }

    /// `CONNECT {...}\r\n`.
    func line() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        let json = try encoder.encode(self)
        return "CONNECT " + String(decoding: json, as: UTF8.self) + "\r\n"
    }
}
