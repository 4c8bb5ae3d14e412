import NATSSubjects

/// A client's subscription: the entry stored in an account's ``Sublist``.
///
/// `deliveryLimit` and `delivered` are guarded by the owning connection's outbound lock,
/// which every delivery already holds.
public final class Subscription: SublistEntry, @unchecked Sendable {
    /// The subject, possibly with wildcards.
    public let subject: String
    /// The queue group, or nil.
    public let queue: String?
    /// The client's subscription id, as raw bytes for encoding MSG.
    public let sid: [UInt8]
    /// The connection that receives the messages.
    let connection: ClientConnection
    /// Auto-unsubscribe after this many deliveries (0: unlimited). Guarded by the outbound lock.
    var deliveryLimit = 0
    /// Messages delivered so far. Guarded by the outbound lock.
    var delivered = 0

    init(subject: String, queue: String?, sid: [UInt8], connection: ClientConnection) {
        self.subject = subject
        self.queue = queue
        self.sid = sid
        self.connection = connection
    }

    /// The sid as a String (for maps and monitoring).
    public var sidString: String { String(decoding: sid, as: UTF8.self) }
}
