import Foundation
import Logging
import NIOCore
import NIOPosix
import StarlingTLS
import Synchronization

/// The server's cluster membership (nats-server route.go): the route listener, the routes it
/// dials, every registered route link by peer, and the interest and client URLs they exchange.
///
/// Links register per peer server id: `slots` hold the pooled links (nats-server 2.10+; one slot
/// toward a peer without pooling, such as 2.9), `pinned` the links dedicated to one account.
final class Cluster: Sendable {
    unowned let server: Server
    /// The block this cluster runs with (not reloadable).
    let options: ClusterOptions
    /// TLS for accepted routes, and for dialled ones.
    let serverTLS: ServerTLS?
    let clientTLS: ClientTLS?
    /// Accounts with a dedicated route each (the system account joins them when pooling).
    let pinnedAccounts: Set<String>
    /// `cluster.permissions` compiled as nats-server's route client permissions: `import` as
    /// publish, `export` as subscribe (route.go: setRoutePermissions).
    let permissions: ClientPermissions?
    let state: Mutex<ClusterState>
    let group: any EventLoopGroup

    init(server: Server, options: ClusterOptions, systemAccount: String, group: any EventLoopGroup) throws {
        self.server = server
        self.options = options
        self.group = group
        serverTLS = try options.tls.map { try ServerTLS(settings: $0, kind: .cluster) }
        clientTLS = try options.tls.map { try ClientTLS(settings: $0, kind: .cluster) }
        var pinned = Set(options.pinnedAccounts)
        if options.poolSize > 0 { pinned.insert(systemAccount) }
        pinnedAccounts = options.poolSize > 0 ? pinned : []
        permissions = options.permissions.map(ClientPermissions.init)
        let name = options.name ?? ServerIdentity.randomToken(length: 22)
        state = Mutex(ClusterState(name: name, nameIsDynamic: options.name == nil))
    }

    var tlsRequired: Bool { options.tls != nil }

    /// Whether peers may hear of local interest in `subject` (route.go: canImport).
    func canImport(_ subject: String) -> Bool { permissions?.canPublish(subject) ?? true }

    /// Whether a peer's interest in `subject` is accepted, so messages flow to it (route.go: canExport).
    func canExport(_ subject: String) -> Bool { permissions?.canSubscribe(subject, queue: nil) ?? true }
    /// Pool connections per peer (0 when pooling is off).
    var poolSize: Int { max(options.poolSize, 0) }
    var name: String { state.withLock { $0.name } }
    var isNameDynamic: Bool { state.withLock { $0.nameIsDynamic } }
    /// Route PINGs: the cluster's interval, else the server's, at most a minute (nats-server adjustPingInterval).
    var pingInterval: Duration { min(options.pingInterval ?? server.options.pingInterval, .seconds(60)) }

    // MARK: Listener

    /// Binds the route listener and dials the configured routes; returns the bound port.
    func start() throws -> Int {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 512, initial: 16 * 1024, maximum: 64 * 1024))
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RouteHandler(cluster: self, dial: nil))
                }
            }
        let channel = try bootstrap.bind(host: options.host, port: options.port).wait()
        let port = channel.localAddress?.port ?? options.port
        state.withLock {
            $0.listener = channel
            $0.port = port
        }
        server.log.info("Cluster name is \(name)")
        server.log.info("Listening for route connections on \(Server.hostPort(options.host, port))")
        for url in options.routes {
            dial(RouteDial(url: url, explicit: true, account: nil), attempt: 0)
        }
        return port
    }

    /// Every registered link, for /routez and /varz.
    var registeredLinks: [RouteConnection] { state.withLock { $0.peers.values.flatMap(\.links) } }

    /// The bound route port.
    var port: Int { state.withLock { $0.port } }

    /// Closes the listener and every route; no link is dialled again.
    func shutdown() {
        let (listener, links) = state.withLock { state -> ((any Channel)?, [RouteConnection]) in
            state.stopped = true
            return (state.listener, Array(state.handshaking.values) + state.peers.values.flatMap(\.links))
        }
        try? listener?.close().wait()
        for link in links {
            try? link.eventLoop.submit { link.handler.value?.closeForShutdown() }.wait()
        }
    }

    // MARK: Handshake helpers

    /// Our route INFO line (nats-server generateRouteInitialInfoJSON).
    func routeInfoLine(account: String?, poolIndex: Int, lameDuck: Bool = false) -> String {
        let (name, dynamic, port) = state.withLock { ($0.name, $0.nameIsDynamic, $0.port) }
        return routeInfoLine(account: account, poolIndex: poolIndex, name: name, dynamic: dynamic, port: port,
                             lameDuck: lameDuck)
    }

    /// Lame duck mode: peers drop this server's client URLs from what they advertise.
    func announceLameDuck() {
        let line = routeInfoLine(account: nil, poolIndex: 0, lameDuck: true)
        for link in state.withLock({ $0.peers.values.compactMap(\.firstLink) }) where link.enqueue({ $0.writeString(line) }) {
            link.scheduleFlush()
        }
    }

    /// The INFO line from state the caller already holds.
    private func routeInfoLine(account: String?, poolIndex: Int, name: String, dynamic: Bool, port: Int,
                               lameDuck: Bool = false) -> String {
        let opts = server.options
        var info = RouteInfo(serverID: server.serverID)
        info.serverName = opts.serverName ?? server.serverID
        info.version = StarlingVersion.compatible
        info.go = "starling\(StarlingVersion.starling)"
        info.proto = 2
        let (host, advertisedPort) = advertisedRouteAddress(port: port)
        info.host = host
        info.port = advertisedPort
        // With `advertise`, peers gossip this address rather than the one they saw us from.
        if options.advertise != nil { info.ip = "nats-route://\(Server.hostPort(host, advertisedPort))/" }
        info.authRequired = options.username != nil ? true : nil
        info.tlsRequired = tlsRequired ? true : nil
        info.tlsVerify = tlsRequired && (options.tls?.verify ?? false) ? true : nil
        info.headers = opts.headers
        info.maxPayload = opts.maxPayload
        info.cluster = name
        info.clusterDynamic = dynamic ? true : nil
        info.connectURLs = options.noAdvertise ? nil : server.ownClientURLs
        info.lnoc = true
        info.lnocu = true
        info.nonce = ServerIdentity.nonce()
        if options.poolSize > 0 { info.routePoolSize = options.poolSize }
        info.routePoolIndex = poolIndex > 0 ? poolIndex : nil
        info.routeAccount = account
        info.lameDuckMode = lameDuck ? true : nil
        info.importPermission = options.permissions?.publish.map(RouteSubjectPermission.init)
        info.exportPermission = options.permissions?.subscribe.map(RouteSubjectPermission.init)
        if lameDuck { info.nonce = nil }
        return Self.infoLine(info)
    }

    static func infoLine(_ info: RouteInfo) -> String {
        let json = (try? JSONEncoder.route.encode(info)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return "INFO \(json)\r\n"
    }

    private func advertisedRouteAddress(port: Int) -> (String, Int) {
        if let advertise = options.advertise, let url = RouteURL(advertise) { return (url.host, url.port) }
        let host = options.host == "0.0.0.0" || options.host == "::" ? "127.0.0.1" : options.host
        return (host, port)
    }

    /// Whether `authorize` must verify a bcrypt hash (~100 ms): then it belongs on the blocking pool.
    var authorizationIsSlow: Bool { options.password.map(Bcrypt.isHash) ?? false }

    /// Whether a peer's CONNECT credentials (or its certificate, with `verify_and_map` or
    /// `verify_cert_and_check_known_urls`) let it in (nats-server auth.go: isRouterAuthorized).
    func authorize(user: String?, password: String?, tls: TLSConnectionInfo?) -> Bool {
        if let settings = options.tls, settings.verifyAndMap || settings.verifyCertAndCheckKnownURLs {
            guard let peer = tls?.peer else { return false }
            if settings.verifyCertAndCheckKnownURLs && peer.matchesKnownHost(in: options.routes.map(\.host)) { return true }
            if settings.verifyAndMap, let username = options.username, peer.mapToUser(among: [username]) != nil { return true }
            return false
        }
        guard let expected = options.username else { return true }
        guard user == expected, let stored = options.password, let password else { return false }
        return Authenticator.secretMatches(provided: password, stored: stored)
    }

    /// nil when `remote` (the name of peer `peerID`) may join; else the text nats-server answers.
    /// A dynamic name adopts a static peer's, or a greater dynamic one, and then closes the routes
    /// to every other peer, which re-form under the new name (route.go: processRouteConnect,
    /// removeAllRoutesExcept).
    func checkClusterName(_ remote: String, dynamic: Bool, peerID: String) -> String? {
        let outcome: (rejection: String?, others: [RouteConnection]) = state.withLock { state in
            if remote == state.name || remote.isEmpty { return (nil, []) }
            if state.nameIsDynamic && (!dynamic || state.name < remote) {
                server.log.info("Cluster name updated to \(remote)")
                state.name = remote
                state.nameIsDynamic = dynamic
                return (nil, state.peers.filter { $0.key != peerID }.flatMap { $0.value.links })
            }
            return ("Rejecting connection, cluster name \"\(remote)\" does not match \"\(state.name)\"", [])
        }
        for link in outcome.others {
            link.eventLoop.execute { link.handler.value?.closeForNameConflict() }
        }
        return outcome.rejection
    }

    /// A configured route that turned out to be this server: not dialled again.
    func markRouteToSelf(_ dial: RouteDial?) {
        guard let dial else { return }
        state.withLock { _ = $0.routesToSelf.insert(dial.url.description) }
    }

    // MARK: Registration

    /// What became of a link whose peer INFO arrived.
    enum Registration {
        /// The link is in place; `pinned` when it carries one account, `askForNext` when the
        /// pool toward this peer is not full and we dial the next one after a PONG.
        case registered(pinned: Bool, askForNext: Bool)
        /// The peer already has a link in this place.
        case duplicate
        /// nats-server's `-ERR` for an impossible link.
        case refused(String)
    }

    /// Notes a connection that is still handshaking (so shutdown closes it).
    func track(_ link: RouteConnection) {
        state.withLock { $0.handshaking[link.id] = link }
    }

    /// Places a link among its peer's links (nats-server route.go: addRoute), sends our delayed
    /// INFO, then all local interest the link carries; gossips a new peer to the others.
    func register(_ link: RouteConnection, info: RouteInfo, sendDelayedInfo: Bool) -> Registration {
        let remotePool = info.routePoolSize ?? 0
        let pooled = remotePool > 0 && options.poolSize > 0
        let account = link.dial?.account ?? info.routeAccount
        let step: RegistrationStep = state.withLock { state in
            state.handshaking[link.id] = nil
            if let dial = link.dial { state.dialing.remove(dial.key) }
            guard !state.stopped else { return .outcome(.duplicate) }
            return place(link, info: info, account: account, pooled: pooled, remotePool: remotePool,
                         sendDelayedInfo: sendDelayedInfo, state: &state)
        }
        guard case .placed(let firstInGroup, let askForNext, let others) = step else {
            if case .outcome(let outcome) = step { return outcome }
            return .duplicate
        }
        sendAllInterest(to: link, account: account, allAccounts: !pooled)
        if firstInGroup {
            // Gossip the peer once for its pool and once per pinned account, as nats-server does.
            var gossip = info
            gossip.routeAccount = account
            forwardNewRoute(gossip, to: others, solicitedImplicitly: link.dial.map { !$0.explicit } ?? false)
        }
        if firstInGroup && account == nil {
            if !options.noAdvertise { server.clientURLsChanged() }
            if pooled, let dial = link.dial {
                for name in pinnedAccounts.sorted() {
                    self.dial(RouteDial(url: dial.url, explicit: dial.explicit, account: name), attempt: 0)
                }
            }
        }
        return .registered(pinned: account != nil, askForNext: askForNext)
    }

    private enum RegistrationStep {
        case outcome(Registration)
        /// `firstInGroup`: the peer's first pool link, or its first link for a pinned account.
        case placed(firstInGroup: Bool, askForNext: Bool, others: [RouteConnection])
    }

    private func place(_ link: RouteConnection, info: RouteInfo, account: String?, pooled: Bool, remotePool: Int,
                       sendDelayedInfo: Bool, state: inout ClusterState) -> RegistrationStep {
        let id = info.serverID
        let solicited = link.dial != nil
        if !pooled {
            if let account {
                return .outcome(.refused("Not possible to have a dedicated route for account \"\(account)\" between those servers"))
            }
        } else if solicited && (info.routePoolIndex ?? 0) != 0 {
            return .outcome(.refused("Route pool index should not be set but is set to \(info.routePoolIndex ?? 0)"))
        }
        let effective = pooled ? max(options.poolSize, remotePool) : 1
        if !solicited, pooled, account == nil, !(0..<effective).contains(info.routePoolIndex ?? 0) {
            return .outcome(.refused("Invalid route pool index: \(info.routePoolIndex ?? 0) - pool size is \(remotePool)"))
        }
        var peer = state.peers[id] ?? RoutePeer(slots: Array(repeating: nil, count: effective), noPool: !pooled)
        let firstInGroup = account.map { peer.pinned[$0] == nil } ?? !peer.slots.contains { $0 != nil }
        var index: Int?
        if let account {
            guard pinnedAccounts.contains(account), server.account(named: account) != nil else {
                return .outcome(.refused("No route for account \"\(account)\""))
            }
            if let existing = peer.pinned[account] {
                inheritRedial(from: link, into: existing)
                return .outcome(.duplicate)
            }
        } else {
            if peer.slots.count < effective { peer.slots += Array(repeating: nil, count: effective - peer.slots.count) }
            if solicited {
                index = peer.slots.firstIndex { $0 == nil }
            } else {
                let wanted = pooled ? (info.routePoolIndex ?? 0) : 0
                index = peer.slots[wanted] == nil ? wanted : nil
            }
            guard let index else {
                if let existing = peer.slots.compactMap({ $0 }).first { inheritRedial(from: link, into: existing) }
                return .outcome(.duplicate)
            }
            if sendDelayedInfo {
                let line = routeInfoLine(account: nil, poolIndex: index, name: state.name, dynamic: state.nameIsDynamic,
                                         port: state.port)
                _ = link.enqueue { $0.writeString(line) }
            }
        }
        link.peer.withLock { p in
            p.remoteID = id
            p.remoteName = info.serverName ?? id
            p.registered = true
            p.poolIndex = index
            p.pinnedAccount = account
            p.redial = link.dial
        }
        if account != nil { link.setPinned(true) }
        if let account { peer.pinned[account] = link } else if let index { peer.slots[index] = link }
        if account == nil && firstInGroup { peer.connectURLs = info.connectURLs ?? [] }
        state.peers[id] = peer
        let filled = peer.slots.filter { $0 != nil }.count
        let others = state.peers.filter { $0.key != id }.compactMap { other in
            account.flatMap { other.value.pinned[$0] } ?? other.value.firstLink
        }
        return .placed(firstInGroup: firstInGroup, askForNext: pooled && solicited && account == nil && filled < effective,
                       others: others)
    }

    /// A duplicate we dialled leaves its dial to the link that stays, so that the link is dialled
    /// again if it drops (both sides may keep opposite links otherwise, and both close).
    private func inheritRedial(from duplicate: RouteConnection, into existing: RouteConnection) {
        guard let dial = duplicate.dial else { return }
        existing.peer.withLock { if $0.redial == nil || (dial.explicit && !($0.redial?.explicit ?? false)) { $0.redial = dial } }
    }

    /// A link closed: its peer's interest leaves the sublists; the peer's client URLs go when
    /// its last link does; a link we dialled (or inherited a dial for) is dialled again.
    func routeClosed(_ link: RouteConnection) {
        let (removedPeer, info) = state.withLock { state -> (Bool, RoutePeerInfo) in
            state.handshaking[link.id] = nil
            let info = link.peer.withLock { $0 }
            guard info.registered, var peer = state.peers[info.remoteID] else { return (false, info) }
            if let account = info.pinnedAccount, peer.pinned[account] === link { peer.pinned[account] = nil }
            if let index = info.poolIndex, index < peer.slots.count, peer.slots[index] === link { peer.slots[index] = nil }
            if peer.links.isEmpty {
                state.peers[info.remoteID] = nil
                return (true, info)
            }
            state.peers[info.remoteID] = peer
            return (false, info)
        }
        let interest = link.remoteInterest.withLock { interest in
            let all = Array(interest)
            interest.removeAll()
            return all
        }
        for (key, sub) in interest {
            let accountName = String(key.prefix { $0 != " " })
            server.account(named: accountName)?.remove(sub)
        }
        if removedPeer && !options.noAdvertise { server.clientURLsChanged() }
        let stopped = state.withLock { $0.stopped }
        guard !stopped, !info.noRedial, let dial = info.registered ? info.redial : link.dial else {
            if let dial = link.dial { state.withLock { _ = $0.dialing.remove(dial.key) } }
            return
        }
        // A dial that never registered (refused, failed handshake) is retried, unless the peer is
        // already reached another way (a duplicate); a registered link is dialled again after
        // the reconnect delay (jittered, so two peers do not collide again).
        if !info.registered && isDuplicateOfLivePeer(link) { return }
        if !dial.explicit && !info.registered {
            state.withLock { _ = $0.dialing.remove(dial.key) }
            return
        }
        self.dial(dial, attempt: 1)
    }

    private func isDuplicateOfLivePeer(_ link: RouteConnection) -> Bool {
        guard let dial = link.dial else { return true }
        return state.withLock { state in
            state.peers.values.contains { peer in
                peer.links.contains { $0.dial?.url == dial.url || $0.peer.withLock { $0.redial?.url } == dial.url }
            }
        }
    }
}

/// Mutable cluster state, under ``Cluster/state``.
struct ClusterState {
    var name: String
    var nameIsDynamic: Bool
    var listener: (any Channel)?
    var port = 0
    var stopped = false
    var peers: [String: RoutePeer] = [:]
    var handshaking: [UInt64: RouteConnection] = [:]
    var routesToSelf: Set<String> = []
    /// Implicit routes being dialled, by URL, so gossip does not dial one twice.
    var dialing: Set<String> = []
}

/// The links to one peer server.
struct RoutePeer {
    var slots: [RouteConnection?]
    var pinned: [String: RouteConnection] = [:]
    var noPool: Bool
    var connectURLs: [String] = []

    /// Every registered link to this peer.
    var links: [RouteConnection] { slots.compactMap { $0 } + pinned.values }
    /// The link that carries cluster-wide messages (gossip): slot 0 when present.
    var firstLink: RouteConnection? { slots.compactMap { $0 }.first ?? pinned.values.first }
}
