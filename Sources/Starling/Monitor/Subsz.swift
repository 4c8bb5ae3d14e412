import Foundation
import NATSSubjects

/// The /subsz document (nats-server monitor.go: Subsz).
struct Subsz: Encodable {
    var serverID: String
    var now: String
    var numSubscriptions: Int
    var numCache: Int
    var numInserts: Int
    var numRemoves: Int
    var numMatches: Int
    var cacheHitRate: Double
    var maxFanout: Int
    var avgFanout: Double
    var total: Int
    var offset: Int
    var limit: Int
    var subscriptionsList: [SubscriptionInfo]?

    enum CodingKeys: String, CodingKey {
        case now, total, offset, limit
        case serverID = "server_id", numSubscriptions = "num_subscriptions", numCache = "num_cache"
        case numInserts = "num_inserts", numRemoves = "num_removes", numMatches = "num_matches"
        case cacheHitRate = "cache_hit_rate", maxFanout = "max_fanout", avgFanout = "avg_fanout"
        case subscriptionsList = "subscriptions_list"
    }
}

extension Monitor {
    /// `subs=1` lists subscriptions; `acc=` picks an account; `test=<subject>` keeps those matching it.
    func subsz(_ query: [String: String]) throws -> Subsz {
        let accounts = try selectedAccounts(query["acc"])
        var stats = SublistStatistics()
        for account in accounts {
            let s = account.sublist.statistics
            stats.subscriptions += s.subscriptions
            stats.cacheEntries += s.cacheEntries
            stats.inserts += s.inserts
            stats.removes += s.removes
            stats.matches += s.matches
            stats.cacheHits += s.cacheHits
            stats.maxFanout = max(stats.maxFanout, s.maxFanout)
            stats.averageFanout = max(stats.averageFanout, s.averageFanout)
        }
        let listing = query["subs"] == "1" || query["subs"] == "true"
        let limit = Int(query["limit"] ?? "") ?? 1024
        let offset = Int(query["offset"] ?? "") ?? 0
        var list: [SubscriptionInfo]?
        var total = stats.subscriptions
        if let test = query["test"], !Subject.isValidLiteral(Array(test.utf8)) {
            throw MonitorError.badRequest("invalid test subject, must be valid publish subject: \(test)")
        }
        if listing {
            var all = accounts.flatMap { $0.sublist.all() }.filter { $0.connection != nil && $0.shadowOf == nil }
            if let test = query["test"] { all = all.filter { Subject.matches(literal: test, pattern: $0.subject) } }
            total = all.count
            list = all.dropFirst(offset).prefix(limit).map { $0.connection!.info(of: $0) }
        }
        return Subsz(serverID: server.serverID, now: GoFormat.timestamp(Date()), numSubscriptions: stats.subscriptions,
                     numCache: stats.cacheEntries, numInserts: stats.inserts, numRemoves: stats.removes,
                     numMatches: stats.matches, cacheHitRate: stats.cacheHitRate, maxFanout: stats.maxFanout,
                     avgFanout: stats.averageFanout, total: total, offset: offset, limit: limit, subscriptionsList: list)
    }

    func selectedAccounts(_ name: String?) throws -> [Account] {
        guard let name, !name.isEmpty else { return server.accounts }
        guard let account = server.accounts.first(where: { $0.name == name }) else {
            throw MonitorError.badRequest("account \"\(name)\" not found")
        }
        return [account]
    }
}
