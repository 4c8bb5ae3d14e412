/// The `nats` object of an operator JWT (nats-io/jwt `Operator`).
public struct NATSOperator: ClaimsBody, Hashable {
    public static var claimType: ClaimType { .operator }
    public static var subjectRole: NKeyPrefix? { .operator }

    /// `signing_keys`: operator keys that may sign accounts besides the operator's own.
    public var signingKeys: [String]
    /// `account_server_url`: where account JWTs can be fetched.
    public var accountServerURL: String
    /// `operator_service_urls`: NATS URLs of the operator's servers.
    public var operatorServiceURLs: [String]
    /// `system_account`: the system account's public key.
    public var systemAccount: String
    /// `assert_server_version`: the lowest server version this operator accepts.
    public var assertServerVersion: String
    /// `strict_signing_key_usage`: accounts must be signed by a signing key, not the operator key.
    public var strictSigningKeyUsage: Bool
    /// `tags`.
    public var tags: [String]
    public var type: String
    public var version: Int
    /// Fields of the `nats` object this type does not name, kept for re-encoding.
    public var unknown: [String: JSONValue]

    static let fieldNames: Set<String> = [
        "signing_keys", "account_server_url", "operator_service_urls", "system_account", "assert_server_version",
        "strict_signing_key_usage", "tags", "type", "version",
    ]

    /// An operator body with nothing set.
    public init() {
        signingKeys = []
        accountServerURL = ""
        operatorServiceURLs = []
        systemAccount = ""
        assertServerVersion = ""
        strictSigningKeyUsage = false
        tags = []
        type = ClaimType.operator.rawValue
        version = 2
        unknown = [:]
    }

    public init(from decoder: any Decoder) throws {
        let reader = try decoder.container(keyedBy: FieldKey.self)
        signingKeys = try reader.field("signing_keys", or: [])
        accountServerURL = try reader.field("account_server_url", or: "")
        operatorServiceURLs = try reader.field("operator_service_urls", or: [])
        systemAccount = try reader.field("system_account", or: "")
        assertServerVersion = try reader.field("assert_server_version", or: "")
        strictSigningKeyUsage = try reader.field("strict_signing_key_usage", or: false)
        tags = try reader.field("tags", or: [])
        type = try reader.field("type", or: "")
        version = try reader.field("version", or: 0)
        unknown = try reader.unknownFields(excluding: Self.fieldNames)
    }

    public func encode(to encoder: any Encoder) throws {
        var writer = encoder.container(keyedBy: FieldKey.self)
        try writer.field("signing_keys", omittingEmpty: signingKeys)
        try writer.field("account_server_url", omittingEmpty: accountServerURL)
        try writer.field("operator_service_urls", omittingEmpty: operatorServiceURLs)
        try writer.field("system_account", omittingEmpty: systemAccount)
        try writer.field("assert_server_version", omittingEmpty: assertServerVersion)
        try writer.field("strict_signing_key_usage", omittingEmpty: strictSigningKeyUsage)
        try writer.field("tags", omittingEmpty: tags)
        try writer.field("type", omittingEmpty: type)
        try writer.field("version", omittingEmpty: version)
        try writer.unknownFields(unknown, excluding: Self.fieldNames)
    }
}

/// The `nats` object of any other JWT (activation, authorization request or response, or a
/// kind this library does not know): `type`, `version`, `tags`, and every other field as JSON.
public struct NATSGeneric: ClaimsBody, Hashable {
    public static var claimType: ClaimType { .generic }
    public static var subjectRole: NKeyPrefix? { nil }

    /// `tags`.
    public var tags: [String]
    public var type: String
    public var version: Int
    /// Every other field of the `nats` object.
    public var unknown: [String: JSONValue]

    static let fieldNames: Set<String> = ["tags", "type", "version"]

    /// A generic body with nothing set.
    public init() {
        tags = []
        type = ""
        version = 2
        unknown = [:]
    }

    public init(from decoder: any Decoder) throws {
        let reader = try decoder.container(keyedBy: FieldKey.self)
        tags = try reader.field("tags", or: [])
        type = try reader.field("type", or: "")
        version = try reader.field("version", or: 0)
        unknown = try reader.unknownFields(excluding: Self.fieldNames)
    }

    public func encode(to encoder: any Encoder) throws {
        var writer = encoder.container(keyedBy: FieldKey.self)
        try writer.field("tags", omittingEmpty: tags)
        try writer.field("type", omittingEmpty: type)
        try writer.field("version", omittingEmpty: version)
        try writer.unknownFields(unknown, excluding: Self.fieldNames)
    }
}
