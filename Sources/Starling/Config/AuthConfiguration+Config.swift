import NATSConfig

/// Decoding of `authorization {}`, `accounts {}`, `no_auth_user` and `system_account`
/// (nats-server opts.go: parseAuthorization, parseAccounts, parseUsers, parseUserPermissions).
extension AuthConfiguration {
    mutating func applyAuthorization(_ node: ConfigNode) throws {
        for entry in try node.requireEntries() {
            let value = entry.node
            switch entry.key.lowercased() {
            case "user", "username":
                var user = singleUser ?? UserConfig()
                user.username = try value.requireString()
                user.position = entry.keyPosition
                singleUser = user
            case "pass", "password":
                var user = singleUser ?? UserConfig()
                user.password = try value.requireString()
                singleUser = user
            case "token":
                token = try value.requireString()
            case "timeout":
                timeout = try value.duration()
            case "users":
                users += try Self.users(value, account: "$G")
            case "default_permissions", "permissions":
                defaultPermissions = try Self.permissions(value)
            default:
                if entry.isUsedAsVariable { continue }
                throw ConfigError("unknown field \"\(entry.key)\"", at: entry.keyPosition)
            }
        }
        // As nats-server: a password without a user is ignored (it may be a variable's value).
        if singleUser?.username == nil { singleUser = nil }
        if singleUser != nil && token != nil {
            throw node.error("Can not have a token and a user/password in authorization")
        }
        if !users.isEmpty && singleUser != nil {
            throw node.error("Can not have a single user/pass and a users array")
        }
        if !users.isEmpty && token != nil {
            throw node.error("Can not have a token and a users array")
        }
    }

    mutating func applyAccounts(_ node: ConfigNode) throws {
        for entry in try node.requireEntries() {
            var account = AccountConfig(name: entry.key, position: entry.keyPosition)
            guard entry.key != "$G" else { throw ConfigError("the global account $G can not be configured", at: entry.keyPosition) }
            for field in try entry.node.requireEntries() {
                switch field.key.lowercased() {
                case "users":
                    users += try Self.users(field.node, account: entry.key)
                case "exports":
                    account.exports = try field.node.requireArray().map(Self.export)
                case "imports":
                    account.imports = try field.node.requireArray().map(Self.importConfig)
                case "default_permissions":
                    account.defaultPermissions = try Self.permissions(field.node)
                case "jetstream", "limits", "mappings", "nkey", "msg_trace":
                    throw ConfigError("account option \"\(field.key)\" is not supported by this Starling build yet", at: field.keyPosition)
                default:
                    if field.isUsedAsVariable { continue }
                    throw ConfigError("unknown field \"\(field.key)\"", at: field.keyPosition)
                }
            }
            accounts.append(account)
        }
    }

    static func users(_ node: ConfigNode, account: String) throws -> [UserConfig] {
        try node.requireArray().map { item in
            var user = UserConfig()
            user.account = account
            user.position = item.position
            for field in try item.requireEntries() {
                switch field.key.lowercased() {
                case "user", "username": user.username = try field.node.requireString()
                case "pass", "password": user.password = try field.node.requireString()
                case "nkey": user.nkey = try field.node.requireString()
                case "permissions", "permission": user.permissions = try permissions(field.node)
                case "allowed_connection_types", "connection_types", "clients":
                    user.allowedConnectionTypes = Set(try field.node.requireArray().map { try $0.requireString().uppercased() })
                case "account":
                    throw ConfigError("a user's account is given by where the user is defined", at: field.keyPosition)
                default:
                    if field.isUsedAsVariable { continue }
                    throw ConfigError("unknown field \"\(field.key)\"", at: field.keyPosition)
                }
            }
            if user.username == nil && user.nkey == nil {
                throw item.error("user entry requires a user or an nkey")
            }
            if user.nkey != nil && user.password != nil {
                throw item.error("nkey users do not take a password")
            }
            return user
        }
    }

    static func permissions(_ node: ConfigNode) throws -> PermissionsConfig {
        var permissions = PermissionsConfig()
        for field in try node.requireEntries() {
            switch field.key.lowercased() {
            case "publish", "pub", "import":
                permissions.publish = try rules(field.node, queuesAllowed: false)
            case "subscribe", "sub", "export":
                permissions.subscribe = try rules(field.node, queuesAllowed: true)
            case "allow_responses", "allow_response", "publish_allow_responses":
                permissions.allowResponses = try responsePermission(field.node)
            default:
                if field.isUsedAsVariable { continue }
                throw ConfigError("unknown field \"\(field.key)\"", at: field.keyPosition)
            }
        }
        if permissions.allowResponses != nil {
            // nats-server: allow_responses closes publish to everything but replies, unless listed.
            var publish = permissions.publish ?? SubjectRules()
            if publish.allow == nil { publish.allow = [] }
            permissions.publish = publish
        }
        return permissions
    }

    static func rules(_ node: ConfigNode, queuesAllowed: Bool) throws -> SubjectRules {
        if node.entries != nil {
            var rules = SubjectRules()
            for field in try node.requireEntries() {
                switch field.key.lowercased() {
                case "allow": rules.allow = try subjects(field.node, queuesAllowed: queuesAllowed)
                case "deny": rules.deny = try subjects(field.node, queuesAllowed: queuesAllowed)
                default:
                    throw ConfigError("unknown field \"\(field.key)\", expected allow or deny", at: field.keyPosition)
                }
            }
            return rules
        }
        return SubjectRules(allow: try subjects(node, queuesAllowed: queuesAllowed))
    }

    static func subjects(_ node: ConfigNode, queuesAllowed: Bool) throws -> [String] {
        let items = node.array ?? [node]
        return try items.map { item in
            let text = try item.requireString()
            let parts = text.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 1 || (parts.count == 2 && queuesAllowed) else {
                throw item.error(queuesAllowed ? "subject permission \"\(text)\" must be a subject and an optional queue"
                                                : "publish permission \"\(text)\" can not have a queue")
            }
            guard SubjectSyntax.isValid(String(parts[0])) else { throw item.error("invalid subject \"\(parts[0])\" in permissions") }
            return parts.joined(separator: " ")
        }
    }

    static func responsePermission(_ node: ConfigNode) throws -> ResponsePermission? {
        if let on = node.bool { return on ? ResponsePermission() : nil }
        var permission = ResponsePermission()
        for field in try node.requireEntries() {
            switch field.key.lowercased() {
            case "max", "max_msgs", "max_messages", "max_responses":
                permission.maxMessages = max(0, try field.node.requireInt())
            case "expires", "ttl":
                permission.expires = try field.node.duration()
            default:
                throw ConfigError("unknown field \"\(field.key)\"", at: field.keyPosition)
            }
        }
        return permission
    }

    static func export(_ node: ConfigNode) throws -> ExportConfig {
        var kind: ExportConfig.Kind?
        var subject = ""
        var export = ExportConfig(kind: .stream, subject: "", position: node.position)
        for field in try node.requireEntries() {
            switch field.key.lowercased() {
            case "stream", "service":
                guard kind == nil else { throw ConfigError("an export is either a stream or a service", at: field.keyPosition) }
                kind = ExportConfig.Kind(rawValue: field.key.lowercased())
                subject = try field.node.requireString()
                guard SubjectSyntax.isValid(subject) else { throw field.node.error("invalid export subject \"\(subject)\"") }
            case "accounts":
                export.accounts = try field.node.requireArray().map { try $0.requireString() }
            case "response", "response_type":
                let text = try field.node.requireString().lowercased()
                switch text {
                case "single", "singleton": export.responseType = .singleton
                case "stream": export.responseType = .stream
                case "chunk", "chunked": export.responseType = .chunked
                default: throw field.node.error("unknown response type \"\(text)\"")
                }
            case "response_threshold", "threshold":
                export.responseThreshold = try field.node.duration()
            default:
                if field.isUsedAsVariable { continue }
                throw ConfigError("unknown field \"\(field.key)\"", at: field.keyPosition)
            }
        }
        guard let kind else { throw node.error("export needs a stream or a service subject") }
        export.kind = kind
        export.subject = subject
        return export
    }

    static func importConfig(_ node: ConfigNode) throws -> ImportConfig {
        var result: ImportConfig?
        var to: String?
        var prefix: String?
        for field in try node.requireEntries() {
            switch field.key.lowercased() {
            case "stream", "service":
                guard result == nil else { throw ConfigError("an import is either a stream or a service", at: field.keyPosition) }
                var account: String?
                var subject: String?
                for part in try field.node.requireEntries() {
                    switch part.key.lowercased() {
                    case "account": account = try part.node.requireString()
                    case "subject": subject = try part.node.requireString()
                    default: throw ConfigError("unknown field \"\(part.key)\"", at: part.keyPosition)
                    }
                }
                guard let account, let subject else { throw field.node.error("import needs an account and a subject") }
                guard SubjectSyntax.isValid(subject) else { throw field.node.error("invalid import subject \"\(subject)\"") }
                result = ImportConfig(kind: ExportConfig.Kind(rawValue: field.key.lowercased())!, account: account,
                                      subject: subject, position: field.keyPosition)
            case "to":
                to = try field.node.requireString()
            case "prefix":
                prefix = try field.node.requireString()
            default:
                if field.isUsedAsVariable { continue }
                throw ConfigError("unknown field \"\(field.key)\"", at: field.keyPosition)
            }
        }
        guard var result else { throw node.error("import needs a stream or a service") }
        if prefix != nil && result.kind == .service { throw node.error("a service import can not have a prefix, use to") }
        result.to = to
        result.prefix = prefix
        return result
    }
}
