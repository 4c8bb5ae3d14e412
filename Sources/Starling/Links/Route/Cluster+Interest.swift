/// Interest propagation over routes (nats-server route.go: updateRouteSubscriptionMap,
/// sendSubsToRoute): which link carries which account, and RS+/RS- as local interest changes.
extension Cluster: InterestListener {
    /// The pool slot of an account on this server.
    func poolIndex(of account: String) -> Int { Self.poolIndex(of: account, poolSize: poolSize) }

    /// nats-server's computeRoutePoolIdx: FNV-1a 32 of the name, modulo the pool size.
    static func poolIndex(of account: String, poolSize: Int) -> Int {
        guard poolSize > 0 else { return 0 }
        var hash: UInt32 = 2_166_136_261
        for byte in account.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return Int(hash % UInt32(poolSize))
    }

    /// The link toward `peer` that carries `account`, if it is up.
    func link(for account: String, in peer: RoutePeer) -> RouteConnection? {
        if peer.noPool { return peer.slots.first ?? nil }
        if pinnedAccounts.contains(account) { return peer.pinned[account] }
        let index = poolIndex(of: account)
        return index < peer.slots.count ? peer.slots[index] : nil
    }

    func interestChanged(in account: Account, subject: String, queue: String?, weight: Int) {
        guard canImport(subject) else { return }
        let links = state.withLock { $0.peers.values.compactMap { link(for: account.name, in: $0) } }
        for link in links where link.announce(account: account, subject: subject, queue: queue, weight: weight) {
            link.scheduleFlush()
        }
    }

    /// Sends a new link every local interest it carries: one pinned account, every account
    /// (a peer without pooling), or the accounts of its pool slot.
    func sendAllInterest(to link: RouteConnection, account pinned: String?, allAccounts: Bool) {
        let index = link.peer.withLock { $0.poolIndex }
        let accounts = server.accounts.filter { account in
            if let pinned { return account.name == pinned }
            if allAccounts { return true }
            return !pinnedAccounts.contains(account.name) && poolIndex(of: account.name) == index
        }
        for account in accounts {
            account.withAnnouncedInterest { counts in
                for (key, weight) in counts where canImport(key.subject) {
                    link.announce(account: account, subject: key.subject, queue: key.queue,
                                  weight: key.queue == nil ? 1 : weight)
                }
            }
        }
        link.scheduleFlush()
    }
}
