/// What a subject matched: plain subscriptions, and queue subscriptions grouped by queue name.
///
/// Results are immutable and shared between the match cache and every reader.
public final class SublistResult<Element: SublistEntry>: Sendable {
    /// Subscriptions without a queue group; each gets every message.
    public let plain: [Element]
    /// One array per queue group; each message goes to one member of each group.
    public let queues: [[Element]]

    /// Creates a result.
    public init(plain: [Element], queues: [[Element]]) {
        self.plain = plain
        self.queues = queues
    }

    /// Whether nothing matched.
    public var isEmpty: Bool { plain.isEmpty && queues.isEmpty }
}

/// An entry that can live in a ``Sublist``: a subscription with a subject and an optional queue.
public protocol SublistEntry: AnyObject, Sendable {
    /// The subject, possibly with wildcards.
    var subject: String { get }
    /// The queue group name, or nil for a plain subscription.
    var queue: String? { get }
}
