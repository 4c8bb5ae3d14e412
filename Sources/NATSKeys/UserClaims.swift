import Foundation

extension JWT {
    /// A daily window in which a user may connect (`times`), "HH:MM:SS" in `times_location`.
    public struct TimeRange: Sendable, Hashable, Codable {
        /// `start`, "HH:MM:SS".
        public var start: String
        /// `end`, "HH:MM:SS".
        public var end: String

        /// A window from `start` to `end`.
        public init(start: String, end: String) {
            self.start = start
            self.end = end
        }

        public init(from decoder: any Decoder) throws {
            let reader = try decoder.container(keyedBy: FieldKey.self)
            start = try reader.field("start", or: "")
            end = try reader.field("end", or: "")
        }

        public func encode(to encoder: any Encoder) throws {
            var writer = encoder.container(keyedBy: FieldKey.self)
            try writer.field("start", omittingEmpty: start)
            try writer.field("end", omittingEmpty: end)
        }
    }

    /// What a user may do and from where: the fields a user JWT's `nats` object and a scoped
    /// signing key's `template` share (nats-io/jwt `UserPermissionLimits`).
    ///
    /// As in Go, a field absent from the JSON decodes as zero (so `subs` 0, not -1 "no limit");
    /// `init()` is that all-zero value, which scoped users must carry, and `unlimited` is what
    /// `NewUserClaims` starts from.
    public struct UserPermissionLimits: Sendable, Hashable {
        /// `pub`, `sub`, `resp`.
        public var permissions: Permissions
        /// `src`: CIDRs the client address must be in (JSON: a list, or one comma-separated string).
        public var sourceNetworks: [String]
        /// `times`: windows in which connecting is allowed.
        public var times: [TimeRange]
        /// `times_location`: IANA time zone of `times` (empty: the server's local zone).
        public var timesLocation: String
        /// `subs`: subscriptions allowed; -1 means no limit.
        public var subscriptions: Int64
        /// `data`: bytes allowed; -1 means no limit (not enforced by nats-server).
        public var data: Int64
        /// `payload`: largest message payload; -1 means no limit.
        public var payload: Int64
        /// `bearer_token`: no nonce signature is required.
        public var bearerToken: Bool
        /// `proxy_required`: the user must come through a trusted proxy.
        public var proxyRequired: Bool
        /// `allowed_connection_types`: STANDARD, WEBSOCKET, LEAFNODE, LEAFNODE_WS, MQTT, MQTT_WS, IN_PROCESS.
        public var allowedConnectionTypes: [String]

        static let fieldNames: Set<String> = Permissions.fieldNames.union([
            "src", "times", "times_location", "subs", "data", "payload", "bearer_token", "proxy_required",
            "allowed_connection_types",
        ])

        /// The all-zero value: nothing set, limits 0.
        public init() {
            permissions = Permissions()
            sourceNetworks = []
            times = []
            timesLocation = ""
            subscriptions = 0
            data = 0
            payload = 0
            bearerToken = false
            proxyRequired = false
            allowedConnectionTypes = []
        }

        /// No permissions set and every limit -1 (nats-io/jwt `NewUserClaims`).
        public static var unlimited: UserPermissionLimits {
            var value = UserPermissionLimits()
            value.subscriptions = -1
            value.data = -1
            value.payload = -1
            return value
        }

        /// Whether this is the all-zero value (nats-io/jwt `HasEmptyPermissions`).
        public var isEmpty: Bool { self == UserPermissionLimits() }

        init(fields reader: FieldReader, defaults: UserPermissionLimits = UserPermissionLimits()) throws {
            permissions = try Permissions(fields: reader)
            sourceNetworks = try Self.decodeSourceNetworks(reader) ?? defaults.sourceNetworks
            times = try reader.field("times", or: defaults.times)
            timesLocation = try reader.field("times_location", or: defaults.timesLocation)
            subscriptions = try reader.field("subs", or: defaults.subscriptions)
            data = try reader.field("data", or: defaults.data)
            payload = try reader.field("payload", or: defaults.payload)
            bearerToken = try reader.field("bearer_token", or: defaults.bearerToken)
            proxyRequired = try reader.field("proxy_required", or: defaults.proxyRequired)
            allowedConnectionTypes = try reader.field("allowed_connection_types", or: defaults.allowedConnectionTypes)
        }

        func encode(fields writer: inout FieldWriter) throws {
            try permissions.encode(fields: &writer)
            try writer.field("src", omittingEmpty: sourceNetworks)
            try writer.field("times", omittingEmpty: times)
            try writer.field("times_location", omittingEmpty: timesLocation)
            try writer.field("subs", omittingEmpty: subscriptions)
            try writer.field("data", omittingEmpty: data)
            try writer.field("payload", omittingEmpty: payload)
            try writer.field("bearer_token", omittingEmpty: bearerToken)
            try writer.field("proxy_required", omittingEmpty: proxyRequired)
            try writer.field("allowed_connection_types", omittingEmpty: allowedConnectionTypes)
        }

        /// `src` as a list, or as "a, B,c" (split, trimmed, lower-cased, without repeats).
        private static func decodeSourceNetworks(_ reader: FieldReader) throws -> [String]? {
            if let list: [String] = try? reader.optionalField("src") { return list }
            guard let text: String = try reader.optionalField("src") else { return nil }
            var result: [String] = []
            for part in text.lowercased().split(separator: ",") {
                let item = part.trimmingCharacters(in: .whitespaces)
                if !item.isEmpty, !result.contains(item) { result.append(item) }
            }
            return result
        }
    }
}

extension JWT.UserPermissionLimits: Codable {
    public init(from decoder: any Decoder) throws {
        try self.init(fields: decoder.container(keyedBy: FieldKey.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var writer = encoder.container(keyedBy: FieldKey.self)
        try encode(fields: &writer)
    }
}

/// The `nats` object of a user JWT. Its permission and limit fields live in `limits` and can
/// also be reached directly (`claims.nats.permissions`, `claims.nats.bearerToken`), as Go's
/// embedded struct allows.
@dynamicMemberLookup
public struct NATSUser: ClaimsBody, Hashable {
    public static var claimType: ClaimType { .user }
    public static var subjectRole: NKeyPrefix? { .user }

    /// Permissions and limits.
    public var limits: JWT.UserPermissionLimits
    /// `issuer_account`: the account when the JWT is signed by one of its signing keys.
    public var issuerAccount: String
    /// `tags`.
    public var tags: [String]
    public var type: String
    public var version: Int
    /// Fields of the `nats` object this type does not name, kept for re-encoding.
    public var unknown: [String: JSONValue]

    static let fieldNames = JWT.UserPermissionLimits.fieldNames.union(["issuer_account", "tags", "type", "version"])

    /// An unrestricted user body (limits -1, as `NewUserClaims`).
    public init() {
        self.init(limits: .unlimited)
    }

    /// A user body with `limits`.
    public init(limits: JWT.UserPermissionLimits, issuerAccount: String = "", tags: [String] = []) {
        self.limits = limits
        self.issuerAccount = issuerAccount
        self.tags = tags
        self.type = ClaimType.user.rawValue
        self.version = 2
        self.unknown = [:]
    }

    /// Direct access to the fields of `limits`.
    public subscript<T>(dynamicMember path: WritableKeyPath<JWT.UserPermissionLimits, T>) -> T {
        get { limits[keyPath: path] }
        set { limits[keyPath: path] = newValue }
    }

    public init(from decoder: any Decoder) throws {
        let reader = try decoder.container(keyedBy: FieldKey.self)
        version = try reader.field("version", or: 0)
        // Version 1 user JWTs were decoded over "no limit" defaults.
        limits = try JWT.UserPermissionLimits(fields: reader, defaults: version == 1 ? .unlimited : JWT.UserPermissionLimits())
        issuerAccount = try reader.field("issuer_account", or: "")
        tags = try reader.field("tags", or: [])
        type = try reader.field("type", or: "")
        unknown = try reader.unknownFields(excluding: Self.fieldNames)
    }

    public func encode(to encoder: any Encoder) throws {
        var writer = encoder.container(keyedBy: FieldKey.self)
        try limits.encode(fields: &writer)
        try writer.field("issuer_account", omittingEmpty: issuerAccount)
        try writer.field("tags", omittingEmpty: tags)
        try writer.field("type", omittingEmpty: type)
        try writer.field("version", omittingEmpty: version)
        try writer.unknownFields(unknown, excluding: Self.fieldNames)
    }
}
