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

    /// Creates an empty account.
    public init(name: String) {
        self.name = name
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
