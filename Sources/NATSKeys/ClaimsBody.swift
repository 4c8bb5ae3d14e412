/// The kind of a NATS JWT (`nats.type`, or the top-level `type` of version 1 JWTs).
public enum ClaimType: String, Sendable, CaseIterable {
    case `operator`
    case account
    case user
    case activation
    case authorizationRequest = "authorization_request"
    case authorizationResponse = "authorization_response"
    case generic

    /// The roles whose keys may sign a JWT of this kind (nats-io/jwt `ExpectedPrefixes`), or
    /// nil when any key may.
    public var issuerRoles: [NKeyPrefix]? {
        switch self {
        case .operator: [.operator]
        case .account: [.account, .operator]
        case .user: [.account]
        case .activation: [.account, .operator]
        case .authorizationRequest: [.server]
        case .authorizationResponse: [.account]
        case .generic: nil
        }
    }
}

/// The `nats` object of one kind of JWT.
public protocol ClaimsBody: Codable, Sendable, Equatable {
    /// The kind written into `nats.type` when claims of this body are encoded.
    static var claimType: ClaimType { get }
    /// The role the JWT's subject must have, or nil when it may be anything.
    static var subjectRole: NKeyPrefix? { get }
    /// `nats.type` as decoded.
    var type: String { get set }
    /// `nats.version` as decoded: 2 for current JWTs, 1 for old ones.
    var version: Int { get set }
    /// A body with the defaults nats-io/jwt's constructors give (`NewUserClaims`, …).
    init()
}
