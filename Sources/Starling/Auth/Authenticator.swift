import Foundation
import NATSKeys
import StarlingTLS

/// Who a connection is once authenticated: its user (if any), account and permissions.
struct ClientIdentity: Sendable {
    /// The configured user, or nil for anonymous and token clients.
    let user: UserConfig?
    /// The account the connection is bound to.
    let account: Account
    /// Compiled permissions; nil allows everything.
    let permissions: ClientPermissions?
    /// The configured token this client authenticated with (token authentication only).
    var token: String?
    /// The name /connz shows as `authorized_user` (never a secret).
    var displayName: String { user?.identity ?? "" }
}

/// Decides who a CONNECT is, in nats-server's order (auth.go: processClientOrLeafAuthentication):
/// NKey with a nonce signature, then user/password from the users list, then the single
/// user/password or token. Passwords and tokens may be bcrypt hashes; plain ones are compared
/// in constant time.
final class Authenticator: Sendable {
    /// Whether clients must authenticate.
    let required: Bool
    /// Whether INFO must carry a nonce (NKey users exist).
    let usesNonce: Bool
    private let registry: AccountRegistry
    private let config: AuthConfiguration
    private let usersByName: [String: CompiledUser]
    private let usersByNKey: [String: CompiledUser]

    struct CompiledUser: Sendable {
        let config: UserConfig
        let identity: ClientIdentity
    }

    /// Whether the client certificate chooses the user (`tls { verify_and_map }`).
    private let tlsMap: Bool

    init(config: AuthConfiguration, registry: AccountRegistry, tlsMap: Bool = false) {
        self.config = config
        self.tlsMap = tlsMap
        self.registry = registry
        required = config.isRequired
        var names: [String: CompiledUser] = [:]
        var nkeys: [String: CompiledUser] = [:]
        let accountDefaults = Dictionary(config.accounts.map { ($0.name, $0.defaultPermissions) }, uniquingKeysWith: { a, _ in a })
        for user in config.users {
            let account = registry.account(named: user.account) ?? registry.global
            let permissions = user.permissions ?? (accountDefaults[user.account] ?? nil) ?? config.defaultPermissions
            let compiled = CompiledUser(config: user, identity: ClientIdentity(user: user, account: account,
                                                                              permissions: permissions.map(ClientPermissions.init)))
            if let name = user.username { names[name] = compiled }
            if let nkey = user.nkey { nkeys[nkey] = compiled }
        }
        usersByName = names
        usersByNKey = nkeys
        usesNonce = !nkeys.isEmpty
    }

    /// The identity of a client before or without authentication: the global account when no
    /// authentication is configured, the `no_auth_user` when there is one, else nil.
    func defaultIdentity() -> ClientIdentity? {
        if !required {
            return globalIdentity()
        }
        guard let name = config.noAuthUser else { return nil }
        return (usersByName[name] ?? usersByNKey[name])?.identity
    }

    /// Authenticates CONNECT's credentials (and the client certificate when the listener maps
    /// certificates to users); nil means `Authorization Violation`.
    func authenticate(_ connect: ClientConnectOptions, nonce: String?, peer: PeerIdentity? = nil) -> ClientIdentity? {
        guard required else { return defaultIdentity() }
        if tlsMap, !usersByName.isEmpty, connect.nkey == nil || connect.nkey == "" {
            if let pass = connect.pass, !pass.isEmpty { return nil }  // nats-server refuses a password here
            // nats-server: the certificate, not CONNECT's user, picks the user (auth.go: checkClientTLSCertSubject).
            guard let peer, let name = peer.mapToUser(among: Array(usersByName.keys)) else { return nil }
            return usersByName[name]?.identity
        }
        let hasCredentials = [connect.user, connect.pass, connect.authToken, connect.nkey].contains { !($0 ?? "").isEmpty }
        if !hasCredentials { return defaultIdentity() }
        if let nkey = connect.nkey, !nkey.isEmpty, !usersByNKey.isEmpty {
            guard let user = usersByNKey[nkey], let nonce, let sig = connect.sig,
                  NKeyAuth.verify(nonce: nonce, signature: sig, publicKey: nkey) else { return nil }
            return user.identity
        }
        if !usersByName.isEmpty, let name = connect.user, !name.isEmpty {
            guard let user = usersByName[name], let stored = user.config.password,
                  Self.secretMatches(provided: connect.pass ?? "", stored: stored) else { return nil }
            return user.identity
        }
        if let token = config.token {
            guard let provided = connect.authToken, Self.secretMatches(provided: provided, stored: token) else { return nil }
            return globalIdentity(token: token)
        }
        if let single = config.singleUser, let name = single.username, let stored = single.password {
            guard connect.user == name, Self.secretMatches(provided: connect.pass ?? "", stored: stored) else { return nil }
            return globalIdentity(user: single)
        }
        return nil
    }

    /// Re-resolves a connected client's identity after a reload: nil if its user is gone.
    func revalidate(_ identity: ClientIdentity) -> ClientIdentity? {
        guard let user = identity.user else {
            if !required { return defaultIdentity() }
            guard let token = config.token, token == identity.token else { return nil }
            return globalIdentity(token: token)
        }
        if let nkey = user.nkey { return usersByNKey[nkey]?.identity }
        if let name = user.username {
            if let found = usersByName[name], found.config.password == user.password { return found.identity }
            if let single = config.singleUser, single == user {
                return globalIdentity(user: single)
            }
        }
        return nil
    }

    /// An identity in the global account with the default permissions.
    private func globalIdentity(user: UserConfig? = nil, token: String? = nil) -> ClientIdentity {
        ClientIdentity(user: user, account: registry.global, permissions: config.defaultPermissions.map(ClientPermissions.init),
                       token: token)
    }

    /// Whether a user of this name or NKey is still configured (a reload that only changed its
    /// password gets `Authorization Violation`, one that removed it a silent close).
    func knows(_ user: UserConfig) -> Bool {
        if let nkey = user.nkey { return usersByNKey[nkey] != nil }
        if let name = user.username { return usersByName[name] != nil || config.singleUser?.username == name }
        return false
    }

    static func secretMatches(provided: String, stored: String) -> Bool {
        if Bcrypt.isHash(stored) { return Bcrypt.verify(password: provided, hash: stored) }
        let a = Array(provided.utf8)
        let b = Array(stored.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}
