import Foundation

/// Gossip (nats-server route.go: forwardNewRouteInfoToKnownServers, processImplicitRoute): a new
/// peer's INFO goes to every other peer, which dials it, so a node that lists one seed joins the
/// full mesh. Client URLs learned from peers feed the client INFO's `connect_urls`.
extension Cluster {
    /// Tells `others` about a new peer, unless we reached it through gossip ourselves, it asked
    /// not to be gossiped (`gossip_mode` 1) or it cannot be dialled.
    func forwardNewRoute(_ info: RouteInfo, to others: [RouteConnection], solicitedImplicitly: Bool) {
        // A peer that gave no route port (or no address) cannot be dialled: telling others
        // would only make them fail to connect.
        guard !solicitedImplicitly, info.gossipMode != 1, !others.isEmpty, (info.port ?? 0) > 0, info.ip != nil else { return }
        var forwarded = info
        forwarded.nonce = nil
        forwarded.gossipMode = nil
        let line = Self.infoLine(forwarded)
        for link in others where link.enqueue({ $0.writeString(line) }) {
            link.scheduleFlush()
        }
    }

    /// An INFO on a registered link: gossip about another server, or news about the peer itself
    /// (lame duck mode withdraws its client URLs).
    func processAsyncInfo(_ info: RouteInfo, from link: RouteConnection) {
        let remoteID = link.peer.withLock { $0.remoteID }
        if info.serverID != remoteID {
            processImplicitRoute(info)
            return
        }
        if info.lameDuckMode == true {
            state.withLock { $0.peers[remoteID]?.connectURLs = [] }
            if !options.noAdvertise { server.clientURLsChanged() }
        }
    }

    private func processImplicitRoute(_ info: RouteInfo) {
        guard info.serverID != server.serverID, let ip = info.ip, let target = RouteURL(ip) else { return }
        let configured = options.routes.contains { route in
            route.port == info.port && (route.host.lowercased() == info.host?.lowercased()
                                        || route.host.lowercased() == target.host.lowercased())
        }
        let account = info.routeAccount
        let proceed = state.withLock { state -> Bool in
            if state.stopped || configured { return false }
            if let account {
                guard options.poolSize > 0, state.peers[info.serverID]?.pinned[account] == nil else { return false }
            } else if state.peers[info.serverID]?.slots.contains(where: { $0 != nil }) == true {
                return false
            }
            return state.dialing.insert(RouteDial(url: target, explicit: false, account: account).key).inserted
        }
        guard proceed else { return }
        var url = target
        if info.authRequired == true {
            url.username = options.username
            url.password = options.password
        }
        server.log.debug("Connecting to implicit route \(target) (\(info.serverID))")
        dial(RouteDial(url: url, explicit: false, account: account), attempt: 0)
    }

    /// Every client URL of the cluster's peers (own URLs excluded), for `connect_urls`.
    var peerClientURLs: [String] {
        state.withLock { state in
            state.peers.values.flatMap(\.connectURLs)
        }
    }
}
