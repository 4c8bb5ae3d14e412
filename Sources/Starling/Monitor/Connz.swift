import Foundation
import NIOCore

/// The /connz document (nats-server monitor.go: Connz).
struct Connz: Encodable {
    var serverID: String
    var now: String
    var numConnections: Int
    var total: Int
    var offset: Int
    var limit: Int
    var connections: [ConnectionInfo]

    enum CodingKeys: String, CodingKey {
        case now, total, offset, limit, connections
        case serverID = "server_id", numConnections = "num_connections"
    }
}

/// /connz query options (`sort`, `limit`, `offset`, `subs`, `cid`, `state`).
struct ConnzQuery {
    enum State: String { case open, closed, any }

    var sort = "cid"
    var limit = 1024
    var offset = 0
    var subscriptions = ConnectionInfo.SubscriptionDetail.none
    var cid: UInt64?
    var state = State.open
    /// `auth=1`: show `authorized_user`, `account` and peer certificates.
    var showAuth = false
    /// `acc=NAME`: only that account's connections.
    var account: String?

    init(_ query: [String: String]) throws {
        if let s = query["sort"], !s.isEmpty {
            guard ConnzQuery.sorts[s] != nil else { throw MonitorError.badRequest("invalid sorting option: \(s)") }
            sort = s
        }
        if let l = query["limit"] { limit = max(0, try Self.integer("limit", l)) }
        if let o = query["offset"] { offset = max(0, try Self.integer("offset", o)) }
        switch query["subs"] {
        case "1", "true": subscriptions = .subjects
        case "detail": subscriptions = .detail
        default: break
        }
        if let c = query["cid"] { cid = UInt64(try Self.integer("cid", c)) }
        showAuth = query["auth"] == "1" || query["auth"] == "true"
        account = query["acc"].flatMap { $0.isEmpty ? nil : $0 }
        if let s = query["state"] {
            guard let parsed = State(rawValue: s) else { throw MonitorError.badRequest("invalid state: \(s)") }
            state = parsed
        }
    }

    /// nats-server's answer to a bad number: `Error decoding int for 'limit': ...` with 400.
    static func integer(_ name: String, _ text: String) throws -> Int {
        guard let value = Int(text), value >= 0 else {
            throw MonitorError.badRequest("Error decoding int for '\(name)': strconv.Atoi: parsing \"\(text)\": invalid syntax")
        }
        return value
    }

    /// Sort orders by name; all but `cid`, `start` and `stop` are descending, as in nats-server.
    static let sorts: [String: @Sendable (ConnectionInfo, ConnectionInfo) -> Bool] = [
        "cid": { $0.cid < $1.cid },
        "start": { $0.start < $1.start },
        "subs": { $0.subscriptions > $1.subscriptions },
        "pending": { $0.pendingBytes > $1.pendingBytes },
        "msgs_to": { $0.outMsgs > $1.outMsgs },
        "msgs_from": { $0.inMsgs > $1.inMsgs },
        "bytes_to": { $0.outBytes > $1.outBytes },
        "bytes_from": { $0.inBytes > $1.inBytes },
        "last": { $0.lastActivity > $1.lastActivity },
        "idle": { $0.lastActivity < $1.lastActivity },
        "uptime": { $0.start < $1.start },
        "stop": { ($0.stop ?? .distantFuture) > ($1.stop ?? .distantFuture) },
        "reason": { ($0.reason ?? "") < ($1.reason ?? "") },
    ]
}

extension Monitor {
    /// Gathers live connections from their event loops, then sorts and pages.
    func connz(_ query: ConnzQuery, on loop: any EventLoop) -> EventLoopFuture<Connz> {
        let live: [ClientConnection] = query.state == .closed ? [] : server.liveConnections.filter {
            (query.cid == nil || $0.id == query.cid) && (query.account == nil || $0.account.name == query.account)
        }
        let detail = query.subscriptions
        let snapshots = live.map { connection in
            connection.eventLoop.submit { connection.handler.value?.snapshot(subscriptions: detail) }
        }
        let closed = query.state == .open ? [] : server.recentlyClosed.filter {
            (query.cid == nil || $0.cid == query.cid) && (query.account == nil || $0.account == query.account)
        }
        return EventLoopFuture.whenAllComplete(snapshots, on: loop).map { [server] results in
            var all = results.compactMap { try? $0.get() }.compactMap { $0 } + closed
            all.sort(by: ConnzQuery.sorts[query.sort]!)
            let page = Array(all.dropFirst(query.offset).prefix(query.limit))
            return Connz(serverID: server.serverID, now: GoFormat.timestamp(Date()), numConnections: page.count,
                         total: all.count, offset: query.offset, limit: query.limit, connections: page)
        }
    }
}
