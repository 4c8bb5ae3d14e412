import NATSSubjects

/// An entry of an account's ``Sublist``: a client's subscription, a shadow of one in another
/// account (stream import), an internal route (service import, service responses), or a peer
/// server's interest announced over a route (RS+).
///
/// `deliveryLimit` and `delivered` are guarded by the owning connection's outbound lock, which
/// every delivery already holds; `shadows` by the connection's subscriptions lock.
public final class Subscription: SublistEntry, @unchecked Sendable {
    /// The subject, possibly with wildcards.
    public let subject: String
    /// The queue group, or nil.
    public let queue: String?
    /// The client's subscription id, as raw bytes for encoding MSG.
    public let sid: [UInt8]
    /// The connection that receives the messages; nil for internal and remote entries.
    let connection: ClientConnection?
    /// For remote interest: the route link it arrived on, where matching messages go as RMSG.
    let route: RouteConnection?
    /// For remote queue interest: how many members the peer has (RS+ weight), else 1.
    let weight: Int
    /// For internal routes: where a matching message goes instead.
    let forward: ImportRoute?
    /// For a stream-import shadow: the client subscription it delivers for, and how subjects change.
    let shadowOf: Subscription?
    let streamImport: StreamImportRoute?
    /// For a shadow: the importer subscription's subject, which rewritten subjects must match.
    let shadowFilter: SubjectPattern?
    /// Subjects a wildcard subscription must not receive (subscribe deny overlapping it).
    let denyFilter: [SubjectPattern]?
    /// Auto-unsubscribe after this many deliveries (0: unlimited). Guarded by the outbound lock.
    var deliveryLimit = 0
    /// Messages delivered so far. Guarded by the outbound lock.
    var delivered = 0
    /// Shadow subscriptions in exporting accounts. Guarded by the subscriptions lock.
    var shadows: [Subscription] = []

    /// A client subscription.
    init(subject: String, queue: String?, sid: [UInt8], connection: ClientConnection, denyFilter: [SubjectPattern]? = nil) {
        self.subject = subject
        self.queue = queue
        self.sid = sid
        self.connection = connection
        self.route = nil
        self.weight = 1
        self.forward = nil
        self.shadowOf = nil
        self.streamImport = nil
        self.shadowFilter = nil
        self.denyFilter = denyFilter
    }

    /// A shadow of `primary` in an exporting account.
    init(shadowing primary: Subscription, subject: String, route: StreamImportRoute) {
        self.subject = subject
        self.queue = primary.queue.map { "\($0) \(route.importer.name)" }
        self.sid = primary.sid
        self.connection = primary.connection
        self.route = nil
        self.weight = 1
        self.forward = nil
        self.shadowOf = primary
        self.streamImport = route
        self.shadowFilter = SubjectPattern(primary.subject)
        self.denyFilter = primary.denyFilter
    }

    /// An internal route.
    init(internal subject: String, forward: ImportRoute) {
        self.subject = subject
        self.queue = nil
        self.sid = []
        self.connection = nil
        self.route = nil
        self.weight = 1
        self.forward = forward
        self.shadowOf = nil
        self.streamImport = nil
        self.shadowFilter = nil
        self.denyFilter = nil
    }

    /// Interest a peer announced over `route`; `denyFilter` holds the export denies a wildcard overlaps.
    init(remote subject: String, queue: String?, weight: Int, route: RouteConnection, denyFilter: [SubjectPattern]? = nil) {
        self.subject = subject
        self.queue = queue
        self.sid = []
        self.connection = nil
        self.route = route
        self.weight = max(weight, 1)
        self.forward = nil
        self.shadowOf = nil
        self.streamImport = nil
        self.shadowFilter = nil
        self.denyFilter = denyFilter
    }

    /// Whether routes must hear of this entry: local clients' subscriptions, their stream-import
    /// shadows and service-response routes do; service-import requests (resolved on every server)
    /// and remote interest (one hop, full mesh) do not.
    var isForwarded: Bool {
        if route != nil { return false }
        if connection != nil { return true }
        if case .serviceResponses? = forward { return true }
        return false
    }

    /// The queue group as announced to routes (a shadow keeps its importer's group name).
    var announcedQueue: String? { shadowOf?.queue ?? queue }

    /// The subscription whose sid and counters a delivery uses.
    var primary: Subscription { shadowOf ?? self }

    /// The sid as a String (for maps and monitoring).
    public var sidString: String { String(decoding: sid, as: UTF8.self) }
}
