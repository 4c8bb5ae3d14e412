import Foundation

/// The /accountz document: the list of accounts, or one account's detail with `acc=`.
struct Accountz: Encodable {
    struct Detail: Encodable {
        var accountName: String
        var updateTime: String
        var isSystem: Bool
        var expired = false
        var complete = true
        var jetstreamEnabled = false
        var leafnodeConnections = 0
        var clientConnections: Int
        var subscriptions: Int

        enum CodingKeys: String, CodingKey {
            case expired, complete, subscriptions
            case accountName = "account_name", updateTime = "update_time", isSystem = "is_system"
            case jetstreamEnabled = "jetstream_enabled", leafnodeConnections = "leafnode_connections"
            case clientConnections = "client_connections"
        }
    }

    var serverID: String
    var now: String
    var systemAccount: String
    var accounts: [String]?
    var accountDetail: Detail?

    enum CodingKeys: String, CodingKey {
        case now, accounts
        case serverID = "server_id", systemAccount = "system_account", accountDetail = "account_detail"
    }
}

/// The /accstatz document: per-account connection and traffic counts.
struct Accstatz: Encodable {
    struct Counts: Encodable {
        var msgs: Int
        var bytes: Int
    }

    struct AccountStat: Encodable {
        var acc: String
        var conns: Int
        var leafnodes = 0
        var totalConns: Int
        var sent: Counts
        var received: Counts
        var slowConsumers: Int

        enum CodingKeys: String, CodingKey {
            case acc, conns, leafnodes, sent, received
            case totalConns = "total_conns", slowConsumers = "slow_consumers"
        }
    }

    var serverID: String
    var now: String
    var accountStatz: [AccountStat]

    enum CodingKeys: String, CodingKey {
        case now
        case serverID = "server_id", accountStatz = "account_statz"
    }
}

/// Live traffic of one account: its connections and what they sent and received.
struct AccountTraffic {
    var account: Account
    var connections = 0
    var outMsgs = 0
    var outBytes = 0
}

extension Monitor {
    func accountz(_ query: [String: String]) throws -> Accountz {
        let now = GoFormat.timestamp(Date())
        guard let name = query["acc"], !name.isEmpty else {
            return Accountz(serverID: server.serverID, now: now, systemAccount: server.systemAccount.name,
                            accounts: server.accounts.map(\.name))
        }
        let account = try selectedAccounts(name)[0]
        let connections = server.liveConnections.filter { $0.account === account }.count
        let detail = Accountz.Detail(accountName: account.name, updateTime: GoFormat.timestamp(server.startTime),
                                     isSystem: account === server.systemAccount, clientConnections: connections,
                                     subscriptions: account.sublist.count)
        return Accountz(serverID: server.serverID, now: now, systemAccount: server.systemAccount.name, accountDetail: detail)
    }

    /// Sums delivered counts of live connections per account, plus what closed ones delivered.
    func accountTraffic() -> [AccountTraffic] {
        var byName = Dictionary(uniqueKeysWithValues: server.accounts.map { ($0.name, AccountTraffic(account: $0)) })
        for connection in server.liveConnections {
            let (msgs, bytes) = connection.deliveredCounts
            byName[connection.account.name, default: AccountTraffic(account: connection.account)].connections += 1
            byName[connection.account.name]!.outMsgs += msgs
            byName[connection.account.name]!.outBytes += bytes
        }
        return byName.values.sorted { $0.account.name < $1.account.name }
    }

    /// `accs=` (comma-separated) selects accounts; `unused=1` includes accounts without connections.
    func accstatz(_ query: [String: String]) -> Accstatz {
        let wanted = query["accs"].map { Set($0.split(separator: ",").map(String.init)) }
        let includeUnused = query["unused"] == "1" || query["unused"] == "true"
        let stats = accountTraffic().filter { t in
                (wanted?.contains(t.account.name) ?? true) && (includeUnused || t.connections > 0)
            }.map { t in
                let s = t.account.stats
                return Accstatz.AccountStat(
                    acc: t.account.name, conns: t.connections, totalConns: s.totalConnections.load(ordering: .relaxed),
                    sent: .init(msgs: t.outMsgs + s.closedOutMsgs.load(ordering: .relaxed),
                                bytes: t.outBytes + s.closedOutBytes.load(ordering: .relaxed)),
                    received: .init(msgs: s.inMsgs.load(ordering: .relaxed), bytes: s.inBytes.load(ordering: .relaxed)),
                    slowConsumers: s.slowConsumers.load(ordering: .relaxed))
            }
        return Accstatz(serverID: server.serverID, now: GoFormat.timestamp(Date()), accountStatz: stats)
    }
}
