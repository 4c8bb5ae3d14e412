import Foundation
import NATSConfig
import StarlingTLS

/// The `cluster {}` block: the route listener, the routes to solicit, and how routes are secured
/// and pooled (nats-server opts.go: ClusterOpts; defaults from const.go).
public struct ClusterOptions: Sendable, Equatable {
    /// The cluster's name; nil makes it dynamic (a random name, replaced by a peer's).
    public var name: String?
    /// Host the route listener binds.
    public var host = "0.0.0.0"
    /// Route port; 0 picks a free one.
    public var port = 6222
    /// `host:port` announced to peers instead of the listener address.
    public var advertise: String?
    /// Whether this server keeps peers' client URLs out of its client INFO (`connect_urls`).
    public var noAdvertise = false
    /// Routes to solicit (`nats-route://[user:pass@]host:port`).
    public var routes: [RouteURL] = []
    /// Credentials peers must present in their route CONNECT.
    public var username: String?
    /// Plain or bcrypt password for `username`.
    public var password: String?
    /// Time a peer has to send its CONNECT when credentials are required.
    public var authTimeout: Duration?
    /// TLS on routes (both directions, started before INFO).
    public var tls: TLSSettings?
    /// Attempts for implicit (gossiped) routes before giving up; configured routes retry forever.
    public var connectRetries = 0
    /// Whether the retry delay doubles up to 30 s (nats-server `connect_backoff`); without it the
    /// delay doubles from 1 s up to 5 s.
    public var connectBackoff = false
    /// Connections per peer that carry accounts by hash (nats-server 2.10+); -1 disables pooling.
    public var poolSize = 3
    /// Accounts that get a dedicated route each (the system account is added when pooling).
    public var pinnedAccounts: [String] = []
    /// Interval between route PINGs (default: the server's ping_interval, at most one minute).
    public var pingInterval: Duration?
    /// Unanswered route PINGs before the route is stale (default: the server's ping_max).
    public var pingMax: Int?
    /// `permissions { import, export }`: the subjects whose interest this server announces to
    /// peers (`import`, kept as `publish`) and accepts from them (`export`, kept as `subscribe`).
    public var permissions: PermissionsConfig?
    /// Where the block was written, for errors.
    public var position: SourcePosition?

    /// Creates the defaults.
    public init() {}

    /// Whether two blocks ask for the same cluster, wherever they are written in the file.
    static func same(_ a: ClusterOptions?, _ b: ClusterOptions?) -> Bool {
        guard var a, var b else { return a == nil && b == nil }
        if let tlsA = a.tls, let tlsB = b.tls {
            guard tlsA.sameSettings(as: tlsB) else { return false }
        } else if (a.tls == nil) != (b.tls == nil) {
            return false
        }
        a.position = nil
        b.position = nil
        a.tls = nil
        b.tls = nil
        return a == b
    }
}

/// One solicited route: where to dial and, optionally, the credentials to present.
public struct RouteURL: Sendable, Equatable, CustomStringConvertible {
    /// Host name or address.
    public var host: String
    /// Route port.
    public var port: Int
    /// User from the URL's user-info.
    public var username: String?
    /// Password from the URL's user-info.
    public var password: String?

    /// Parses `nats-route://user:pass@host:port`, `nats://host:port` or `host:port`.
    public init?(_ text: String) {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            username = parts.first.map { String($0).removingPercentEncoding ?? String($0) }
            password = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : nil
        }
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
              (1...65535).contains(port) else { return nil }
        var host = String(rest[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }

    /// `host:port` (bracketed for IPv6), without credentials: safe for logs and monitoring.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
