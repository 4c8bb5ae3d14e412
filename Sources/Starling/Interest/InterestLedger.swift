import Synchronization

/// Told when an account's interest as routes see it changes (nats-server route.go:
/// updateRouteSubscriptionMap). Called with the account's ledger lock held, so announcements of
/// one account reach each route in the order they happened.
protocol InterestListener: AnyObject, Sendable {
    /// `weight` is the number of local subscriptions behind the key: for a plain subject 1 means
    /// "announce" and 0 "withdraw"; for a queue group it is the group's weight (0: withdraw).
    func interestChanged(in account: Account, subject: String, queue: String?, weight: Int)
}

/// One subject (and queue group) an account is interested in, as routes are told.
struct InterestKey: Hashable, Sendable {
    /// The subject, possibly with wildcards.
    let subject: String
    /// The queue group, or nil.
    let queue: String?
}

/// Counts of an account's local subscriptions per announced key (nats-server's `acc.rm`): a plain
/// subject is announced on its first subscription and withdrawn with its last; a queue group is
/// announced again with its new weight on every change.
struct InterestLedger {
    private(set) var counts: [InterestKey: Int] = [:]

    /// Applies `delta` to `key`; returns the weight to announce, or nil when routes need not hear.
    mutating func apply(_ delta: Int, to key: InterestKey) -> Int? {
        let old = counts[key] ?? 0
        let new = max(old + delta, 0)
        counts[key] = new == 0 ? nil : new
        if key.queue != nil { return new == old ? nil : new }
        if old == 0 && new > 0 { return 1 }
        if old > 0 && new == 0 { return 0 }
        return nil
    }
}
