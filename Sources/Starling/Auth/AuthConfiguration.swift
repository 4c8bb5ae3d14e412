import NATSConfig

/// Allow/deny subject lists for one direction (publish or subscribe). A nil `allow` allows all.
public struct SubjectRules: Sendable, Equatable {
    /// Subjects allowed; nil means everything is allowed unless denied.
    public var allow: [String]?
    /// Subjects denied; deny beats allow.
    public var deny: [String]

    /// Creates rules.
    public init(allow: [String]? = nil, deny: [String] = []) {
        self.allow = allow
        self.deny = deny
    }
}

/// `allow_responses`: publishing to reply subjects of received requests, `maxMessages` times
/// within `expires` (nats-server defaults: 1 message, 2 minutes).
public struct ResponsePermission: Sendable, Equatable {
    /// Replies allowed per received request (0: unlimited).
    public var maxMessages = 1
    /// How long the grant lasts (zero: forever).
    public var expires: Duration = .seconds(120)

    /// Creates the default grant.
    public init() {}
}

/// A user's (or default) permissions as configured.
public struct PermissionsConfig: Sendable, Equatable {
    /// Publish rules.
    public var publish: SubjectRules?
    /// Subscribe rules (entries may be `"subject queue"`).
    public var subscribe: SubjectRules?
    /// Dynamic reply permissions.
    public var allowResponses: ResponsePermission?

    /// Creates empty permissions.
    public init() {}
}

/// One configured user: a name with a password, or an NKey.
public struct UserConfig: Sendable, Equatable {
    /// The user name (absent for NKey users).
    public var username: String?
    /// Plain or bcrypt password.
    public var password: String?
    /// The user's NKey public key.
    public var nkey: String?
    /// Permissions; nil means the account's or global default permissions.
    public var permissions: PermissionsConfig?
    /// The account the user belongs to.
    public var account: String = "$G"
    /// Connection types allowed (`STANDARD`, `WEBSOCKET`, `LEAFNODE`, ...); nil allows all.
    public var allowedConnectionTypes: Set<String>?
    /// Where the user was defined.
    public var position: SourcePosition?

    /// Creates an empty user.
    public init() {}

    /// The name shown in logs and monitoring: the user name or the NKey.
    public var identity: String { username ?? nkey ?? "" }
}

/// A stream or service export.
public struct ExportConfig: Sendable, Equatable {
    /// Stream or service.
    public enum Kind: String, Sendable { case stream, service }
    /// How many responses a service request may get.
    public enum ResponseType: String, Sendable { case singleton, stream, chunked }

    /// Stream or service.
    public var kind: Kind
    /// Exported subject (wildcards allowed).
    public var subject: String
    /// Accounts allowed to import; nil means public.
    public var accounts: [String]?
    /// Service response type.
    public var responseType = ResponseType.singleton
    /// How long a stream/chunked service response mapping lives without traffic.
    public var responseThreshold: Duration = .seconds(120)
    /// Where the export was defined.
    public var position: SourcePosition?
}

/// A stream or service import.
public struct ImportConfig: Sendable, Equatable {
    /// Stream or service.
    public var kind: ExportConfig.Kind
    /// The exporting account.
    public var account: String
    /// The subject in the exporting account.
    public var subject: String
    /// The local subject (stream: delivered as; service: requested on). Nil keeps the subject.
    public var to: String?
    /// Stream imports only: a prefix put before the delivered subject (older form of `to`).
    public var prefix: String?
    /// Where the import was defined.
    public var position: SourcePosition?
}

/// One account from the `accounts {}` block.
public struct AccountConfig: Sendable, Equatable {
    /// The account name.
    public var name: String
    /// Exports.
    public var exports: [ExportConfig] = []
    /// Imports.
    public var imports: [ImportConfig] = []
    /// Permissions of this account's users that have none of their own.
    public var defaultPermissions: PermissionsConfig?
    /// Where the account was defined.
    public var position: SourcePosition?
}

/// Everything that decides who may connect and what they may do.
public struct AuthConfiguration: Sendable, Equatable {
    /// Users from `authorization { users }` and every account's `users`.
    public var users: [UserConfig] = []
    /// Accounts beyond `$G` and the system account.
    public var accounts: [AccountConfig] = []
    /// `authorization { token }`.
    public var token: String?
    /// `authorization { user, password }` (a single user in `$G`).
    public var singleUser: UserConfig?
    /// `authorization { default_permissions }`.
    public var defaultPermissions: PermissionsConfig?
    /// `no_auth_user`.
    public var noAuthUser: String?
    /// Where `no_auth_user` was set.
    public var noAuthUserPosition: SourcePosition?
    /// `system_account` (default `$SYS`).
    public var systemAccount = "$SYS"
    /// `authorization { timeout }`; nil uses the default.
    public var timeout: Duration?

    /// Creates an empty configuration (no authentication).
    public init() {}

    /// Whether clients must authenticate.
    public var isRequired: Bool { token != nil || singleUser != nil || !users.isEmpty }
}
