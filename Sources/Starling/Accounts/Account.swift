import NATSSubjects

/// A tenant's subject space: its own interest trie. Messages never leave an account unless an
/// export and import say so.
public final class Account: Sendable {
    /// The account name (`$G` for the global account).
    public let name: String
    /// Interest of every connection bound to this account.
    public let sublist = Sublist<Subscription>()

    /// Creates an empty account.
    public init(name: String) {
        self.name = name
    }
}
