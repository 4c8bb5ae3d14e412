extension JWT {
    /// `authorization` of an account JWT: auth callout settings.
    public struct ExternalAuthorization: Sendable, Hashable, Codable {
        /// `auth_users`: users of this account that bypass the callout (the callout service's own).
        public var authUsers: [String] = []
        /// `allowed_accounts`: accounts the callout may place users in (`*` for any).
        public var allowedAccounts: [String] = []
        /// `xkey`: the callout service's curve key; requests are sealed to it.
        public var xkey: String = ""

        /// Empty: no auth callout.
        public init() {}

        public init(from decoder: any Decoder) throws {
            let reader = try decoder.container(keyedBy: FieldKey.self)
            authUsers = try reader.field("auth_users", or: [])
            allowedAccounts = try reader.field("allowed_accounts", or: [])
            xkey = try reader.field("xkey", or: "")
        }

        public func encode(to encoder: any Encoder) throws {
            var writer = encoder.container(keyedBy: FieldKey.self)
            try writer.field("auth_users", omittingEmpty: authUsers)
            try writer.field("allowed_accounts", omittingEmpty: allowedAccounts)
            try writer.field("xkey", omittingEmpty: xkey)
        }
    }

    /// `trace` of an account JWT: where message traces go.
    public struct MessageTrace: Sendable, Hashable, Codable {
        /// `dest`: the subject traces are published to.
        public var destination: String
        /// `sampling`: percentage 1…100 (0 means 100).
        public var sampling: Int

        /// A trace setting.
        public init(destination: String, sampling: Int = 0) {
            self.destination = destination
            self.sampling = sampling
        }

        public init(from decoder: any Decoder) throws {
            let reader = try decoder.container(keyedBy: FieldKey.self)
            destination = try reader.field("dest", or: "")
            sampling = try reader.field("sampling", or: 0)
        }

        public func encode(to encoder: any Encoder) throws {
            var writer = encoder.container(keyedBy: FieldKey.self)
            try writer.field("dest", omittingEmpty: destination)
            try writer.field("sampling", omittingEmpty: sampling)
        }
    }

    /// One destination of a subject mapping (`mappings`).
    public struct WeightedMapping: Sendable, Hashable, Codable {
        /// `subject`: the destination subject.
        public var subject: String
        /// `weight`: percentage of messages (0 means 100).
        public var weight: UInt8
        /// `cluster`: applies only in this cluster.
        public var cluster: String

        /// A mapping destination.
        public init(subject: String, weight: UInt8 = 0, cluster: String = "") {
            self.subject = subject
            self.weight = weight
            self.cluster = cluster
        }

        public init(from decoder: any Decoder) throws {
            let reader = try decoder.container(keyedBy: FieldKey.self)
            subject = try reader.field("subject", or: "")
            weight = try reader.field("weight", or: 0)
            cluster = try reader.field("cluster", or: "")
        }

        public func encode(to encoder: any Encoder) throws {
            var writer = encoder.container(keyedBy: FieldKey.self)
            try writer.field("subject", subject)
            try writer.field("weight", omittingEmpty: weight)
            try writer.field("cluster", omittingEmpty: cluster)
        }
    }
}

/// The `nats` object of an account JWT (nats-io/jwt `Account`).
public struct NATSAccount: ClaimsBody, Hashable {
    public static var claimType: ClaimType { .account }
    public static var subjectRole: NKeyPrefix? { .account }

    /// `imports`.
    public var imports: [JWT.Import]
    /// `exports`.
    public var exports: [JWT.Export]
    /// `limits`.
    public var limits: JWT.AccountLimits
    /// `signing_keys`: keys besides the account's own that may sign its users.
    public var signingKeys: [JWT.SigningKey]
    /// `revocations`: user key (or `*`) → users issued at or before this time are revoked.
    public var revocations: [String: Int64]
    /// `default_permissions`: for users whose JWT sets none.
    public var defaultPermissions: JWT.Permissions
    /// `mappings`: subject → weighted destinations.
    public var mappings: [String: [JWT.WeightedMapping]]
    /// `authorization`: auth callout settings.
    public var authorization: JWT.ExternalAuthorization
    /// `trace`.
    public var trace: JWT.MessageTrace?
    /// `cluster_traffic`: `system` (default) or `owner`.
    public var clusterTraffic: String
    /// `description`.
    public var description: String
    /// `info_url`.
    public var infoURL: String
    /// `tags`.
    public var tags: [String]
    public var type: String
    public var version: Int
    /// Fields of the `nats` object this type does not name, kept for re-encoding.
    public var unknown: [String: JSONValue]

    static let fieldNames: Set<String> = [
        "imports", "exports", "limits", "signing_keys", "revocations", "default_permissions", "mappings",
        "authorization", "trace", "cluster_traffic", "description", "info_url", "tags", "type", "version",
    ]

    /// An unlimited account with nothing imported or exported (nats-io/jwt `NewAccountClaims`).
    public init() {
        imports = []
        exports = []
        limits = JWT.AccountLimits()
        signingKeys = []
        revocations = [:]
        defaultPermissions = JWT.Permissions()
        mappings = [:]
        authorization = JWT.ExternalAuthorization()
        trace = nil
        clusterTraffic = ""
        description = ""
        infoURL = ""
        tags = []
        type = ClaimType.account.rawValue
        version = 2
        unknown = [:]
    }

    /// The signing key entry for `key`, if the account lists it.
    public func signingKey(_ key: String) -> JWT.SigningKey? {
        signingKeys.first { $0.key == key }
    }

    public init(from decoder: any Decoder) throws {
        let reader = try decoder.container(keyedBy: FieldKey.self)
        imports = try reader.field("imports", or: [])
        exports = try reader.field("exports", or: [])
        limits = try reader.optionalField("limits") ?? JWT.AccountLimits.decodedZero
        signingKeys = try JWT.SigningKey.decodeList(reader, "signing_keys")
        revocations = try reader.field("revocations", or: [:])
        defaultPermissions = try reader.field("default_permissions", or: JWT.Permissions())
        mappings = try reader.field("mappings", or: [:])
        authorization = try reader.field("authorization", or: JWT.ExternalAuthorization())
        trace = try reader.optionalField("trace")
        clusterTraffic = try reader.field("cluster_traffic", or: "")
        description = try reader.field("description", or: "")
        infoURL = try reader.field("info_url", or: "")
        tags = try reader.field("tags", or: [])
        type = try reader.field("type", or: "")
        version = try reader.field("version", or: 0)
        unknown = try reader.unknownFields(excluding: Self.fieldNames)
    }

    public func encode(to encoder: any Encoder) throws {
        var writer = encoder.container(keyedBy: FieldKey.self)
        try writer.field("imports", omittingEmpty: imports)
        try writer.field("exports", omittingEmpty: exports)
        try writer.field("limits", limits)
        try JWT.SigningKey.encodeList(signingKeys, &writer, "signing_keys")
        try writer.field("revocations", omittingEmpty: revocations)
        try writer.field("default_permissions", defaultPermissions)
        try writer.field("mappings", omittingEmpty: mappings)
        try writer.field("authorization", authorization)
        try writer.field("trace", omittingEmpty: trace)
        try writer.field("cluster_traffic", omittingEmpty: clusterTraffic)
        try writer.field("description", omittingEmpty: description)
        try writer.field("info_url", omittingEmpty: infoURL)
        try writer.field("tags", omittingEmpty: tags)
        try writer.field("type", omittingEmpty: type)
        try writer.field("version", omittingEmpty: version)
        try writer.unknownFields(unknown, excluding: Self.fieldNames)
    }
}

extension JWT.AccountLimits {
    /// What an account JWT without `limits` decodes to in Go: every field zero.
    static var decodedZero: JWT.AccountLimits {
        var limits = JWT.AccountLimits()
        limits.subscriptions = 0
        limits.data = 0
        limits.payload = 0
        limits.imports = 0
        limits.exports = 0
        limits.wildcardExports = false
        limits.connections = 0
        limits.leafNodeConnections = 0
        return limits
    }
}
