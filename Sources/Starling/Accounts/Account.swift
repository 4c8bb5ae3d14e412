import NATSSubjects
import Synchronization

/// A tenant's subject space: its own interest trie. Messages never leave an account unless an
/// export and import say so.
public final class Account: Sendable {
    /// The account name (`$G` for the global account).
    public let name: String
    /// Interest of every connection bound to this account.
    public let sublist = Sublist<Subscription>()
    /// Counters for /accstatz and /metrics.
    public let stats = AccountStats()
    /// This account's imports as wired now (replaced on reload).
    let imports = Mutex(AccountImports())
    /// The name as protocol bytes (RMSG, RS+).
    let nameBytes: [UInt8]
    /// Local interest as routes know it; its lock also orders announcements (see ``InterestListener``).
    private let ledger = Mutex(InterestLedger())
    private let listener = Mutex<(any InterestListener)?>(nil)

    /// Creates an empty account.
    public init(name: String) {
        self.name = name
        self.nameBytes = Array(name.utf8)
    }

    /// Routes interest changes of this account to `listener` (the cluster).
    func setInterestListener(_ listener: (any InterestListener)?) {
        self.listener.withLock { $0 = listener }
    }

    /// Adds an entry to the sublist and, for local interest, tells the routes.
    func insert(_ sub: Subscription) {
        sublist.insert(sub)
        if sub.isForwarded { announce(sub, delta: 1) }
    }

    /// Removes an entry from the sublist and, for local interest, tells the routes.
    func remove(_ sub: Subscription) {
        guard sublist.remove(sub) else { return }
        if sub.isForwarded { announce(sub, delta: -1) }
    }

    /// Removes entries from the sublist (a closing connection) and tells the routes.
    func removeAll(_ subs: [Subscription]) {
        sublist.removeAll(subs)
        for sub in subs where sub.isForwarded { announce(sub, delta: -1) }
    }

    private func announce(_ sub: Subscription, delta: Int) {
        let key = InterestKey(subject: sub.subject, queue: sub.announcedQueue)
        ledger.withLock { ledger in
            guard let weight = ledger.apply(delta, to: key), let listener = listener.withLock({ $0 }) else { return }
            listener.interestChanged(in: self, subject: key.subject, queue: key.queue, weight: weight)
        }
    }

    /// Runs `body` with every announced key and weight, under the ledger lock, so a route that
    /// is being brought up misses no change (a change made meanwhile waits, then reaches it).
    func withAnnouncedInterest<T>(_ body: ([InterestKey: Int]) -> T) -> T {
        ledger.withLock { body($0.counts) }
    }

    /// Stream imports, for adding shadow subscriptions when a client subscribes.
    var streamImports: [StreamImportRoute] { imports.withLock { $0.streams } }
}

/// The imports of one account: stream routes, and the internal subscriptions its imports put
/// into its own and exporters' sublists (removed when the imports are rewired).
struct AccountImports {
    var streams: [StreamImportRoute] = []
    var internalSubscriptions: [(account: Account, subscription: Subscription)] = []
}

/// Per-account counters. Messages received are added once per read batch; messages sent are
/// folded in from each connection when it closes (live connections are summed on demand).
public final class AccountStats: Sendable {
    /// Messages received from this account's clients.
    public let inMsgs = Atomic<Int>(0)
    /// Payload bytes received from this account's clients.
    public let inBytes = Atomic<Int>(0)
    /// Messages delivered to closed connections of this account.
    public let closedOutMsgs = Atomic<Int>(0)
    /// Payload bytes delivered to closed connections of this account.
    public let closedOutBytes = Atomic<Int>(0)
    /// Connections of this account since start.
    public let totalConnections = Atomic<Int>(0)
    /// Slow consumers among this account's connections.
    public let slowConsumers = Atomic<Int>(0)

    init() {}
}
