extension JWT {
    /// A signing key that limits what the users it signs may do: their permissions and limits are
    /// replaced by `template` (nats-io/jwt `UserScope`).
    public struct UserScope: Sendable, Hashable, Codable {
        /// `key`: the signing key (an account public key).
        public var key: String
        /// `role`: a name for the scope.
        public var role: String
        /// `template`: permissions and limits given to users signed with `key`. Subjects may use
        /// `{{name()}}`, `{{subject()}}`, `{{tag(x)}}`, `{{account-name()}}`, … templates.
        public var template: UserPermissionLimits
        /// `description`.
        public var description: String

        /// A scope; the template starts unlimited, as nats-io/jwt `NewUserScope`.
        public init(key: String, role: String = "", template: UserPermissionLimits = .unlimited, description: String = "") {
            self.key = key
            self.role = role
            self.template = template
            self.description = description
        }

        public init(from decoder: any Decoder) throws {
            let reader = try decoder.container(keyedBy: FieldKey.self)
            key = try reader.field("key", or: "")
            role = try reader.field("role", or: "")
            description = try reader.field("description", or: "")
            // Absent template limits stay "no limit", as nats-io/jwt decodes over NewUserScope.
            if reader.has("template") {
                let nested = try reader.nestedContainer(keyedBy: FieldKey.self, forKey: FieldKey("template"))
                template = try UserPermissionLimits(fields: nested, defaults: .unlimited)
            } else {
                template = .unlimited
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var writer = encoder.container(keyedBy: FieldKey.self)
            try writer.field("kind", "user_scope")
            try writer.field("key", key)
            try writer.field("role", role)
            try writer.field("template", template)
            try writer.field("description", description)
        }
    }

    /// An entry of an account's `signing_keys`: a plain account key, or a scoped one (an object
    /// with `"kind": "user_scope"`).
    public enum SigningKey: Sendable, Hashable, Codable {
        /// A plain signing key: users it signs keep their own permissions.
        case plain(String)
        /// A scoped signing key.
        case scoped(UserScope)

        /// The signing key's public key.
        public var key: String {
            switch self {
            case .plain(let key): key
            case .scoped(let scope): scope.key
            }
        }

        /// The scope, when the key is scoped.
        public var scope: UserScope? {
            if case .scoped(let scope) = self { scope } else { nil }
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let key = try? container.decode(String.self) {
                self = .plain(key)
                return
            }
            let reader = try decoder.container(keyedBy: FieldKey.self)
            let kind: String = try reader.field("kind", or: "")
            guard kind == "user_scope" else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "unknown signing key scope \"\(kind)\""))
            }
            self = .scoped(try UserScope(from: decoder))
        }

        public func encode(to encoder: any Encoder) throws {
            switch self {
            case .plain(let key):
                var container = encoder.singleValueContainer()
                try container.encode(key)
            case .scoped(let scope):
                try scope.encode(to: encoder)
            }
        }

        /// Decodes a `signing_keys` list as nats-io/jwt does: entries that are neither strings nor
        /// objects are skipped, and a key listed twice keeps its last entry.
        static func decodeList(_ reader: FieldReader, _ name: String) throws -> [SigningKey] {
            guard reader.has(name) else { return [] }
            if try reader.decodeNil(forKey: FieldKey(name)) { return [] }
            let items = try reader.decode([JSONValue].self, forKey: FieldKey(name))
            var list = try reader.nestedUnkeyedContainer(forKey: FieldKey(name))
            var result: [SigningKey] = []
            for item in items {
                switch item {
                case .string, .object:
                    let entry = try list.decode(SigningKey.self)
                    result.removeAll { $0.key == entry.key }
                    result.append(entry)
                default:
                    _ = try list.decode(JSONValue.self)
                }
            }
            return result
        }

        /// Encodes a `signing_keys` list sorted by key, as nats-io/jwt writes it.
        static func encodeList(_ keys: [SigningKey], _ writer: inout FieldWriter, _ name: String) throws {
            try writer.field(name, omittingEmpty: keys.sorted { $0.key < $1.key })
        }
    }
}
