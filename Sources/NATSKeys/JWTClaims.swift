import Foundation

/// A NATS JWT's claims: the registered fields every kind has, and the kind's `nats` object.
///
/// Fields neither names are kept in `unknown` (here and in the `nats` object) so that a decoded
/// JWT encodes again without losing them. Times are Unix seconds; 0 means unset.
public struct JWTClaims<Body: ClaimsBody>: Sendable, Equatable, Codable {
    /// `jti`: the JWT's id (set when encoding).
    public var id: String
    /// `iat`: when it was issued (set when encoding).
    public var issuedAt: Int64
    /// `iss`: the public key that signed it (set when encoding).
    public var issuer: String
    /// `sub`: the public key it is about.
    public var subject: String
    /// `name`.
    public var name: String
    /// `aud`.
    public var audience: String
    /// `exp`: expiry; 0 means never.
    public var expires: Int64
    /// `nbf`: not valid before; 0 means always.
    public var notBefore: Int64
    /// `nats`: the kind-specific claims.
    public var nats: Body
    /// Top-level fields not named above.
    public var unknown: [String: JSONValue]

    static var fieldNames: Set<String> { ["jti", "iat", "iss", "sub", "name", "aud", "exp", "nbf", "nats"] }

    /// Claims about `subject` with the body's defaults.
    public init(subject: String, name: String = "", nats: Body = Body()) {
        self.id = ""
        self.issuedAt = 0
        self.issuer = ""
        self.subject = subject
        self.name = name
        self.audience = ""
        self.expires = 0
        self.notBefore = 0
        self.nats = nats
        self.unknown = [:]
    }

    /// Whether `exp` is set and `date` is past it.
    public func isExpired(at date: Date = Date()) -> Bool {
        expires > 0 && Int64(date.timeIntervalSince1970) > expires
    }

    /// Whether `nbf` is set and `date` is before it.
    public func isNotYetValid(at date: Date = Date()) -> Bool {
        notBefore > 0 && notBefore > Int64(date.timeIntervalSince1970)
    }

    public init(from decoder: any Decoder) throws {
        let reader = try decoder.container(keyedBy: FieldKey.self)
        id = try reader.field("jti", or: "")
        issuedAt = try reader.field("iat", or: 0)
        issuer = try reader.field("iss", or: "")
        subject = try reader.field("sub", or: "")
        name = try reader.field("name", or: "")
        audience = try reader.field("aud", or: "")
        expires = try reader.field("exp", or: 0)
        notBefore = try reader.field("nbf", or: 0)
        nats = try reader.field("nats", or: Body())
        unknown = try reader.unknownFields(excluding: Self.fieldNames)
    }

    public func encode(to encoder: any Encoder) throws {
        var writer = encoder.container(keyedBy: FieldKey.self)
        try writer.field("aud", omittingEmpty: audience)
        try writer.field("exp", omittingEmpty: expires)
        try writer.field("jti", omittingEmpty: id)
        try writer.field("iat", omittingEmpty: issuedAt)
        try writer.field("iss", omittingEmpty: issuer)
        try writer.field("name", omittingEmpty: name)
        try writer.field("nbf", omittingEmpty: notBefore)
        try writer.field("sub", omittingEmpty: subject)
        try writer.field("nats", nats)
        try writer.unknownFields(unknown, excluding: Self.fieldNames)
    }
}

/// User JWT claims.
public typealias UserClaims = JWTClaims<NATSUser>
/// Account JWT claims.
public typealias AccountClaims = JWTClaims<NATSAccount>
/// Operator JWT claims.
public typealias OperatorClaims = JWTClaims<NATSOperator>
/// Claims of any other kind.
public typealias GenericClaims = JWTClaims<NATSGeneric>
