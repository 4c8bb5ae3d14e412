import Foundation
import NIOCore
import StarlingTLS

/// One route link as a snapshot taken on its event loop.
struct RouteSnapshot: Sendable {
    var rid: UInt64
    var remoteID: String
    var remoteName: String
    var didSolicit: Bool
    var isConfigured: Bool
    var ip: String
    var port: Int
    var start: Date
    var lastActivity: Date
    var rtt: Duration?
    var inMsgs: Int
    var inBytes: Int
    var outMsgs: Int
    var outBytes: Int
    var pendingBytes: Int
    var subscriptions: [String]
    var poolIndex: Int?
    var account: String?
    var tls: TLSConnectionInfo?
}

/// /routez (nats-server monitor.go: Routez, RouteInfo), plus the route's TLS version and cipher.
struct Routez: Encodable {
    var serverID: String
    var serverName: String
    var now: String
    var routes: [Route]

    struct Route: Encodable {
        let snapshot: RouteSnapshot
        let listSubscriptions: Bool

        enum CodingKeys: String, CodingKey {
            case rid, ip, port, start, rtt, uptime, idle, subscriptions, account
            case remoteID = "remote_id", remoteName = "remote_name", didSolicit = "did_solicit"
            case isConfigured = "is_configured", lastActivity = "last_activity", pending = "pending_size"
            case inMsgs = "in_msgs", outMsgs = "out_msgs", inBytes = "in_bytes", outBytes = "out_bytes"
            case subscriptionsList = "subscriptions_list", poolIndex = "pool_idx"
            case tlsVersion = "tls_version", tlsCipherSuite = "tls_cipher_suite"
        }

        func encode(to encoder: any Encoder) throws {
            let s = snapshot
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(s.rid, forKey: .rid)
            try c.encode(s.remoteID, forKey: .remoteID)
            try c.encode(s.remoteName, forKey: .remoteName)
            try c.encode(s.didSolicit, forKey: .didSolicit)
            try c.encode(s.isConfigured, forKey: .isConfigured)
            try c.encode(s.ip, forKey: .ip)
            try c.encode(s.port, forKey: .port)
            try c.encode(GoFormat.timestamp(s.start), forKey: .start)
            try c.encode(GoFormat.timestamp(s.lastActivity), forKey: .lastActivity)
            if let rtt = s.rtt { try c.encode(GoFormat.duration(rtt), forKey: .rtt) }
            try c.encode(GoFormat.uptime(Date().timeIntervalSince(s.start)), forKey: .uptime)
            try c.encode(GoFormat.uptime(Date().timeIntervalSince(s.lastActivity)), forKey: .idle)
            try c.encode(s.pendingBytes, forKey: .pending)
            try c.encode(s.inMsgs, forKey: .inMsgs)
            try c.encode(s.outMsgs, forKey: .outMsgs)
            try c.encode(s.inBytes, forKey: .inBytes)
            try c.encode(s.outBytes, forKey: .outBytes)
            try c.encode(s.subscriptions.count, forKey: .subscriptions)
            if listSubscriptions && !s.subscriptions.isEmpty {
                try c.encode(s.subscriptions.sorted(), forKey: .subscriptionsList)
            }
            try c.encodeIfPresent(s.account, forKey: .account)
            try c.encodeIfPresent(s.poolIndex, forKey: .poolIndex)
            if let tls = s.tls {
                try c.encode(tls.version, forKey: .tlsVersion)
                try c.encode(tls.cipherSuite, forKey: .tlsCipherSuite)
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case now, routes
        case serverID = "server_id", serverName = "server_name", numRoutes = "num_routes"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(serverID, forKey: .serverID)
        try c.encode(serverName, forKey: .serverName)
        try c.encode(now, forKey: .now)
        try c.encode(routes.count, forKey: .numRoutes)
        try c.encode(routes, forKey: .routes)
    }
}

extension Monitor {
    /// Snapshots every registered route link on its own event loop.
    func routez(_ query: [String: String], on loop: any EventLoop) -> EventLoopFuture<Routez> {
        let links = server.cluster?.registeredLinks ?? []
        let listSubscriptions = ["1", "true", "detail"].contains(query["subs"]?.lowercased() ?? "")
        let snapshots = links.map { link in link.eventLoop.submit { link.handler.value?.snapshot() } }
        return EventLoopFuture.whenAllSucceed(snapshots, on: loop).map { [server] all in
            Routez(serverID: server.serverID, serverName: server.options.serverName ?? server.serverID,
                   now: GoFormat.timestamp(Date()),
                   routes: all.compactMap { $0 }.sorted { $0.rid < $1.rid }.map { Routez.Route(snapshot: $0, listSubscriptions: listSubscriptions) })
        }
    }
}
