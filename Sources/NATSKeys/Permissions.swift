extension JWT {
    /// Subjects allowed and denied for publishing or subscribing (JWT `pub`/`sub`). No allow
    /// list means everything is allowed; deny wins over allow.
    public struct Permission: Sendable, Hashable, Codable {
        /// `allow`: subjects (subscribe entries may carry a queue after a space).
        public var allow: [String]
        /// `deny`: subjects.
        public var deny: [String]

        /// A permission with the given lists (both empty by default).
        public init(allow: [String] = [], deny: [String] = []) {
            self.allow = allow
            self.deny = deny
        }

        public init(from decoder: any Decoder) throws {
            let reader = try decoder.container(keyedBy: FieldKey.self)
            allow = try reader.field("allow", or: [])
            deny = try reader.field("deny", or: [])
        }

        public func encode(to encoder: any Encoder) throws {
            var writer = encoder.container(keyedBy: FieldKey.self)
            try writer.field("allow", omittingEmpty: allow)
            try writer.field("deny", omittingEmpty: deny)
        }
    }

    /// `resp`: permission to publish to the reply subjects of received requests.
    public struct ResponsePermission: Sendable, Hashable, Codable {
        /// `max`: responses allowed per request.
        public var maxMessages: Int
        /// `ttl`: how long the permission lasts (nanoseconds in JSON).
        public var expires: Duration

        /// A response permission.
        public init(maxMessages: Int, expires: Duration) {
            self.maxMessages = maxMessages
            self.expires = expires
        }

        public init(from decoder: any Decoder) throws {
            let reader = try decoder.container(keyedBy: FieldKey.self)
            maxMessages = try reader.field("max", or: 0)
            expires = try GoDuration.decode(reader, "ttl")
        }

        public func encode(to encoder: any Encoder) throws {
            var writer = encoder.container(keyedBy: FieldKey.self)
            try writer.field("max", maxMessages)
            try writer.field("ttl", GoDuration.nanoseconds(expires))
        }
    }

    /// Publish and subscribe permissions plus the optional response permission, as a user JWT,
    /// a scope template and an account's `default_permissions` carry them.
    public struct Permissions: Sendable, Hashable, Codable {
        /// `pub`.
        public var publish: Permission
        /// `sub`.
        public var subscribe: Permission
        /// `resp`, absent when nil.
        public var response: ResponsePermission?

        static let fieldNames: Set<String> = ["pub", "sub", "resp"]

        /// Permissions (everything empty by default).
        public init(publish: Permission = Permission(), subscribe: Permission = Permission(), response: ResponsePermission? = nil) {
            self.publish = publish
            self.subscribe = subscribe
            self.response = response
        }

        /// Whether nothing is set.
        public var isEmpty: Bool { self == Permissions() }

        init(fields reader: FieldReader) throws {
            publish = try reader.field("pub", or: Permission())
            subscribe = try reader.field("sub", or: Permission())
            response = try reader.optionalField("resp")
        }

        func encode(fields writer: inout FieldWriter) throws {
            try writer.field("pub", publish)
            try writer.field("sub", subscribe)
            try writer.field("resp", omittingEmpty: response)
        }

        public init(from decoder: any Decoder) throws {
            try self.init(fields: decoder.container(keyedBy: FieldKey.self))
        }

        public func encode(to encoder: any Encoder) throws {
            var writer = encoder.container(keyedBy: FieldKey.self)
            try encode(fields: &writer)
        }
    }
}
