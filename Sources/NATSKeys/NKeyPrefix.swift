/// The lead byte of an encoded NKey, which makes its base32 text start with a telling letter.
///
/// Public keys start with the letter of their role (`U` user, `A` account, `O` operator,
/// `N` server, `C` cluster, `X` curve); seeds start with `S` followed by that role's letter
/// (`SU…`, `SA…`); `P` marks an encoded raw private key.
public enum NKeyPrefix: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Seeds: the lead byte of every encoded seed (`S…`).
    case seed = 144  // 18 << 3
    /// Encoded raw private keys (`P…`).
    case `private` = 120  // 15 << 3
    /// Server identities (`N…`).
    case server = 104  // 13 << 3
    /// Cluster identities (`C…`).
    case cluster = 16  // 2 << 3
    /// Operators (`O…`).
    case `operator` = 112  // 14 << 3
    /// Accounts (`A…`).
    case account = 0
    /// Users (`U…`).
    case user = 160  // 20 << 3
    /// Curve25519 (x25519) keys used to seal auth-callout messages (`X…`).
    case curve = 184  // 23 << 3

    /// Whether this prefix names a public key role (and so may follow `S` inside a seed).
    public var isPublicRole: Bool {
        switch self {
        case .server, .cluster, .operator, .account, .user, .curve: true
        case .seed, .private: false
        }
    }

    /// Whether keys of this role are Ed25519 signing keys (every public role but `curve`).
    public var isSigningRole: Bool { isPublicRole && self != .curve }

    /// The role's name as nkeys prints it (`user`, `account`, `x25519`, …).
    public var description: String {
        switch self {
        case .seed: "seed"
        case .private: "private"
        case .server: "server"
        case .cluster: "cluster"
        case .operator: "operator"
        case .account: "account"
        case .user: "user"
        case .curve: "x25519"
        }
    }
}
