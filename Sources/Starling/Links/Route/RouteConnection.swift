import Foundation
import NIOCore
import NATSWire
import Synchronization

/// One route link to a peer server: RMSG/HMSG delivery into the shared outbound buffer, the
/// interest the peer announced on this link, and what the handshake told us about the peer.
final class RouteConnection: LinkConnection, @unchecked Sendable {
    /// The link's state machine, reachable only on `eventLoop`.
    let handler: LinkHandlerReference<RouteHandler>
    /// What we dialled, or nil when the peer dialled us.
    let dial: RouteDial?
    /// What the handshake established; set once registered.
    let peer = Mutex(RoutePeerInfo())
    /// The peer's interest on this link, by `account subject [queue]`.
    let remoteInterest = Mutex<[String: Subscription]>([:])

    init(id: UInt64, channel: any Channel, dial: RouteDial?, maxPending: Int, writeDeadline: TimeAmount,
         handler: LinkHandlerReference<RouteHandler>) {
        self.handler = handler
        self.dial = dial
        super.init(id: id, channel: channel, maxPending: maxPending, writeDeadline: writeDeadline)
    }

    /// Appends an RMSG (or HMSG when `headerLength >= 0` and the peer takes headers) naming
    /// `queues`, the space-separated groups chosen on the peer.
    func deliver(account: UnsafeRawBufferPointer, subject: UnsafeRawBufferPointer, reply: UnsafeRawBufferPointer,
                 queues: UnsafeRawBufferPointer, headerLength: Int, body: UnsafeRawBufferPointer) -> Delivery {
        outbound.withLock { s in
            guard !s.closed else { return .dropped }
            var headerLength = headerLength
            let body = s.deliverable(&headerLength, body)
            let before = s.buffer.writerIndex
            s.buffer.writeRoutedMessage(account: s.omitAccount ? nil : account, subject: subject, reply: reply,
                                        queues: queues, headerLength: headerLength, body: body)
            guard let (needsFlush, flushNow) = s.commitMessage(since: before, payload: body.count) else { return .slowConsumer }
            return .queued(needsFlush: needsFlush, flushNow: flushNow, limitReached: false)
        }
    }

    /// Queues RS+ (weight > 0) or RS- for `subject` in `account`; returns whether a flush must be arranged.
    @discardableResult
    func announce(account: Account, subject: String, queue: String?, weight: Int) -> Bool {
        let subjectBytes = Array(subject.utf8)
        let queueBytes = Array((queue ?? "").utf8)
        return outbound.withLock { s in
            guard !s.closed else { return false }
            let before = s.buffer.writerIndex
            account.nameBytes.withUnsafeBytes { name in
                subjectBytes.withUnsafeBytes { subject in
                    queueBytes.withUnsafeBytes { queue in
                        let account: UnsafeRawBufferPointer? = s.omitAccount ? nil : name
                        if weight > 0 {
                            s.buffer.writeRouteSub(account: account, subject: subject, queue: queue, weight: weight)
                        } else {
                            s.buffer.writeRouteUnsub(account: account, subject: subject, queue: queue)
                        }
                    }
                }
            }
            s.pending += s.buffer.writerIndex - before
            let needsFlush = !s.flushScheduled
            s.flushScheduled = true
            return needsFlush
        }
    }

    /// Marks the link as pinned to one account: ops leave the account out.
    func setPinned(_ pinned: Bool) {
        outbound.withLock { $0.omitAccount = pinned }
    }
}

/// Where and why a route was dialled.
struct RouteDial: Sendable {
    /// The URL dialled (credentials from it go into CONNECT).
    let url: RouteURL
    /// Configured (retried forever) or learned from gossip (retried `connect_retries` times).
    let explicit: Bool
    /// The account this link is dedicated to, for a pinned-account route.
    let account: String?

    /// Identifies a dial to one place (URL and pinned account), so gossip does not dial it twice.
    var key: String { "\(url)|\(account ?? "")" }
}

/// What a route handshake established about the peer and this link's place among its links.
struct RoutePeerInfo: Sendable {
    var remoteID = ""
    var remoteName = ""
    var registered = false
    /// Pool slot, or nil for a pinned-account link.
    var poolIndex: Int?
    var pinnedAccount: String?
    /// Where to dial again when this link closes: its own dial, or one inherited from a
    /// duplicate we dialled to the same peer (nats-server handleDuplicateRoute).
    var redial: RouteDial?
    /// Set when the link must not be dialled again (shutdown, a refused pinned route).
    var noRedial = false
}
