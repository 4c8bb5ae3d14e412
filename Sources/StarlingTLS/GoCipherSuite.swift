/// A TLS cipher suite under the name Go's `crypto/tls` gives it, which is what nats-server's
/// `cipher_suites` accepts and what `/connz` reports as `tls_cipher_suite`.
public struct GoCipherSuite: Sendable, Hashable, CustomStringConvertible {
    /// Go's name, e.g. `TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384`.
    public let name: String
    /// The IANA code point.
    public let id: UInt16
    /// In Go's `tls.InsecureCipherSuites()`: needs `allow_insecure_cipher_suites: true`.
    public let isInsecure: Bool
    /// Whether BoringSSL (inside swift-nio-ssl) implements it; an unsupported suite is a
    /// configuration error.
    public let isSupported: Bool

    /// A TLS 1.3 suite: accepted in `cipher_suites` but, as in Go, it changes nothing (TLS 1.3
    /// suites cannot be configured).
    public var isTLS13: Bool { id >> 8 == 0x13 }

    /// ``name``.
    public var description: String { name }

    /// A static-RSA key exchange suite (no forward secrecy): accepted when listed, as in Go,
    /// but left out of the default list (Go itself leaves them out of its defaults since 1.22).
    public let isRSAKeyExchange: Bool

    /// The suite Go calls `name`, also accepting the shorter names nats-server 2.9 used for the
    /// ChaCha20 suites (`TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305`).
    public static func named(_ name: String) -> GoCipherSuite? {
        byName[name] ?? legacyNames[name].flatMap { byName[$0] }
    }

    /// The suite with this code point, if Go knows it.
    public static func withID(_ id: UInt16) -> GoCipherSuite? {
        byID[id]
    }

    /// Go's name for a negotiated suite, as `/connz` shows it: the name, or `Unknown [xxxx]`.
    public static func goName(forID id: UInt16) -> String {
        byID[id]?.name ?? "Unknown [\(String(id, radix: 16))]"
    }

    /// The default list: Go's `tls.CipherSuites()` (the secure suites, nats-server's default)
    /// without the static-RSA key exchange ones.
    public static var defaults: [GoCipherSuite] {
        all.filter { !$0.isInsecure && !$0.isRSAKeyExchange }
    }

    /// Every suite Go knows: `tls.CipherSuites()` then `tls.InsecureCipherSuites()`.
    public static let all: [GoCipherSuite] = [
        .init("TLS_AES_128_GCM_SHA256", 0x1301),
        .init("TLS_AES_256_GCM_SHA384", 0x1302),
        .init("TLS_CHACHA20_POLY1305_SHA256", 0x1303),
        .init("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xc02b),
        .init("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xc02f),
        .init("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca9),
        .init("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca8),
        .init("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xc02c),
        .init("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xc030),
        .init("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 0xc009),
        .init("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0xc013),
        .init("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", 0xc00a),
        .init("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 0xc014),
        .init("TLS_RSA_WITH_AES_128_CBC_SHA", 0x002f, rsaKeyExchange: true),
        .init("TLS_RSA_WITH_AES_256_CBC_SHA", 0x0035, rsaKeyExchange: true),
        .init("TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009c, rsaKeyExchange: true),
        .init("TLS_RSA_WITH_AES_256_GCM_SHA384", 0x009d, rsaKeyExchange: true),
        .init("TLS_RSA_WITH_RC4_128_SHA", 0x0005, insecure: true, supported: false),
        .init("TLS_RSA_WITH_3DES_EDE_CBC_SHA", 0x000a, insecure: true),
        .init("TLS_RSA_WITH_AES_128_CBC_SHA256", 0x003c, insecure: true, supported: false),
        .init("TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", 0xc007, insecure: true, supported: false),
        .init("TLS_ECDHE_RSA_WITH_RC4_128_SHA", 0xc011, insecure: true, supported: false),
        .init("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", 0xc012, insecure: true, supported: false),
        .init("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 0xc023, insecure: true),
        .init("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", 0xc027, insecure: true),
    ]

    private init(_ name: String, _ id: UInt16, insecure: Bool = false, supported: Bool = true,
                 rsaKeyExchange: Bool = false) {
        self.name = name
        self.id = id
        self.isInsecure = insecure
        self.isSupported = supported
        self.isRSAKeyExchange = rsaKeyExchange
    }

    private static let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
    private static let byID = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })
    private static let legacyNames = [
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305": "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305": "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    ]
}
