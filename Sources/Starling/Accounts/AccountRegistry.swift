import NATSConfig
import NATSSubjects

/// Every account of the server, built from the configuration: `$G`, the system account and the
/// configured ones, with their imports wired. A rebuild (reload) keeps the Account objects of
/// accounts that still exist, so live connections and their subscriptions stay.
final class AccountRegistry: Sendable {
    /// The global account.
    let global: Account
    /// The system account.
    let system: Account
    private let byName: [String: Account]

    /// Validates `config` and wires its imports; `previous` supplies accounts to keep.
    init(config: AuthConfiguration, previous: AccountRegistry? = nil) throws {
        try AccountValidation.validate(config)
        var names = ["$G", config.systemAccount] + config.accounts.map(\.name)
        names = names.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
        var map: [String: Account] = [:]
        for name in names { map[name] = previous?.account(named: name) ?? Account(name: name) }
        byName = map
        global = map["$G"]!
        system = map[config.systemAccount]!
        for account in map.values { Self.unwire(account) }
        for accountConfig in config.accounts {
            try wire(accountConfig, config: config)
        }
    }

    /// The account called `name`.
    func account(named name: String) -> Account? { byName[name] }

    /// All accounts, sorted by name.
    var all: [Account] { byName.values.sorted { $0.name < $1.name } }

    private static func unwire(_ account: Account) {
        let old = account.imports.withLock { imports in
            let subs = imports.internalSubscriptions
            imports = AccountImports()
            return subs
        }
        for (owner, sub) in old { owner.remove(sub) }
    }

    private func wire(_ accountConfig: AccountConfig, config: AuthConfiguration) throws {
        let importer = byName[accountConfig.name]!
        var wired = AccountImports()
        for imp in accountConfig.imports {
            let exporter = byName[imp.account]!
            let export = AccountValidation.matchingExport(for: imp, in: config)!
            switch imp.kind {
            case .stream:
                wired.streams.append(StreamImportRoute(importer: importer, exporter: exporter, config: imp))
            case .service:
                let table = ResponseTable(importer: importer, export: export)
                let route = ServiceImportRoute(importer: importer, exporter: exporter, config: imp, export: export, responses: table)
                let requestSub = Subscription(internal: route.local.text, forward: .serviceImport(route))
                let responseSub = Subscription(internal: table.prefix + ".>", forward: .serviceResponses(table))
                importer.insert(requestSub)
                exporter.insert(responseSub)
                wired.internalSubscriptions += [(importer, requestSub), (exporter, responseSub)]
            }
        }
        importer.imports.withLock { $0 = wired }
    }
}

/// Start-up (and reload) checks of users, accounts, exports and imports, with positions.
enum AccountValidation {
    static func validate(_ config: AuthConfiguration) throws {
        var accountNames: Set<String> = ["$G", config.systemAccount]
        for account in config.accounts {
            guard accountNames.insert(account.name).inserted || account.name == config.systemAccount else {
                throw error("duplicate account \"\(account.name)\"", account.position)
            }
        }
        var seen: Set<String> = []
        for user in config.users {
            guard seen.insert(user.identity).inserted else { throw error("duplicate user \"\(user.identity)\"", user.position) }
        }
        if let name = config.noAuthUser, !config.users.contains(where: { $0.identity == name }) {
            throw error("no_auth_user: \"\(name)\" not present as user or nkey in authorization block or account configuration",
                        config.noAuthUserPosition)
        }
        for account in config.accounts {
            var streams: Set<String> = []
            for imp in account.imports {
                if imp.kind == .stream && !streams.insert("\(imp.account) \(imp.subject)").inserted {
                    throw error("Error adding stream import \"\(imp.subject)\": stream import already exists", imp.position)
                }
                guard accountNames.contains(imp.account) else {
                    throw error("import of \(imp.kind.rawValue) \"\(imp.subject)\" from unknown account \"\(imp.account)\"", imp.position)
                }
                guard imp.account != account.name else {
                    throw error("account \"\(account.name)\" can not import from itself", imp.position)
                }
                guard let export = matchingExport(for: imp, in: config) else {
                    throw error("\(imp.kind.rawValue) import \"\(imp.subject)\" from account \"\(imp.account)\" is not exported", imp.position)
                }
                if let allowed = export.accounts, !allowed.contains(account.name) {
                    throw error("\(imp.kind.rawValue) import \"\(imp.subject)\" from account \"\(imp.account)\" is not exported to account \"\(account.name)\"", imp.position)
                }
                if let to = imp.to, !SubjectSyntax.isValid(to) {
                    throw error("invalid import subject mapping \"\(to)\"", imp.position)
                }
            }
        }
        try detectServiceCycles(config)
    }

    /// The export of `imp`'s account that covers its subject, of the same kind.
    static func matchingExport(for imp: ImportConfig, in config: AuthConfiguration) -> ExportConfig? {
        guard let exporter = config.accounts.first(where: { $0.name == imp.account }) else { return nil }
        return exporter.exports.first { export in
            export.kind == imp.kind && isSubset(imp.subject, of: export.subject)
        }
    }

    /// Whether every subject matched by `subject` is matched by `pattern`.
    static func isSubset(_ subject: String, of pattern: String) -> Bool {
        let s = Subject.tokens(subject)
        let p = Subject.tokens(pattern)
        for (i, token) in p.enumerated() {
            if token == ">" { return s.count > i }
            guard i < s.count else { return false }
            if token == "*" { if s[i] == ">" { return false } else { continue } }
            if s[i] != token { return false }
        }
        return s.count == p.count
    }

    /// Follows service imports from every account; visiting an (account, subject) twice is a cycle.
    private static func detectServiceCycles(_ config: AuthConfiguration) throws {
        let byName = Dictionary(config.accounts.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for account in config.accounts {
            for start in account.imports where start.kind == .service {
                var visited: Set<String> = ["\(account.name) \(start.to ?? start.subject)"]
                var current = (account: start.account, subject: start.subject)
                while true {
                    guard visited.insert("\(current.account) \(current.subject)").inserted else {
                        throw error("service import cycle through account \"\(current.account)\" on \"\(current.subject)\"", start.position)
                    }
                    guard let next = byName[current.account]?.imports.first(where: {
                        $0.kind == .service && SubjectPattern($0.to ?? $0.subject).overlaps(SubjectPattern(current.subject))
                    }) else { break }
                    current = (next.account, next.subject)
                }
            }
        }
    }

    private static func error(_ message: String, _ position: SourcePosition?) -> ConfigError {
        ConfigError(message, at: position ?? SourcePosition(file: "<configuration>", line: 0, column: 0))
    }
}
