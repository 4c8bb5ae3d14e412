import NIOSSL

/// A key-exchange group under the name nats-server's `curve_preferences` uses.
public enum TLSCurve: String, Sendable, CaseIterable {
    /// Hybrid X25519 + ML-KEM-768 (post-quantum).
    case x25519MLKEM768 = "X25519MLKEM768"
    /// X25519.
    case x25519 = "X25519"
    /// NIST P-256.
    case p256 = "CurveP256"
    /// NIST P-384.
    case p384 = "CurveP384"
    /// NIST P-521.
    case p521 = "CurveP521"

    /// The names Go 1.26 builds of nats-server also accept but BoringSSL does not implement.
    static let unsupportedNames: Set<String> = ["SecP256r1MLKEM768", "SecP384r1MLKEM1024"]

    /// nats-server's default preference (X25519MLKEM768, X25519, P-256, P-384, P-521).
    public static let defaults: [TLSCurve] = [.x25519MLKEM768, .x25519, .p256, .p384, .p521]

    /// The NIOSSL group.
    public var nioCurve: NIOTLSCurve {
        switch self {
        case .x25519MLKEM768: return .x25519_MLKEM768
        case .x25519: return .x25519
        case .p256: return .secp256r1
        case .p384: return .secp384r1
        case .p521: return .secp521r1
        }
    }
}
