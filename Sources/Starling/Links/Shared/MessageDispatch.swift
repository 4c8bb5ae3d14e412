import Foundation
import NATSSubjects
import NATSWire

/// Delivers one message to what a sublist match found — local subscribers, stream-import
/// shadows, service-import routes, and peer servers over routes — for the link that received it.
///
/// Owned by one link handler on its event loop. A class, not a struct: a flush may re-enter
/// the handler (a write that fails closes the channel at once), which must not find a
/// long-running mutating access to it. Local deliveries append to subscribers' outbound
/// buffers and note them in `touched`, flushed once at the end of the read batch. Remote interest
/// becomes one RMSG per route link per message, naming the queue groups chosen on that peer
/// (nats-server client.go: processMsgResults, addSubToRouteTargets).
final class MessageDispatch {
    /// Where the message being dispatched came from.
    enum Source {
        /// A local client; `noEcho` is set when it must not receive its own messages.
        case client(ClientConnection, noEcho: Bool)
        /// A peer server: deliver locally only (one hop), and to queue groups only when named.
        case route
    }

    /// One route link a message goes to, with the queue groups (space-separated) chosen there.
    private struct RouteTarget {
        let route: RouteConnection
        var queues: [UInt8]
    }

    let server: Server
    /// Connections this batch queued to that still need a flush.
    var touched: [LinkConnection] = []
    /// Round trip of the publishing client, for the `Nats-Request-Info` header of service imports.
    var requestRTT: Duration?
    private var random = UInt64.random(in: 1...UInt64.max)
    private var routeTargets: [RouteTarget] = []

    init(server: Server) {
        self.server = server
    }

    /// Hops through service imports and response routes before a message is dropped (loop guard).
    static var maxImportHops: Int { 8 }

    /// Flushes every connection this batch queued to.
    func flushTouched() {
        for peer in touched { peer.scheduleFlush() }
        touched.removeAll(keepingCapacity: true)
    }

    /// Delivers to every plain subscription and one member of each queue group (from a route:
    /// only the groups `queueFilter` names). Returns whether anything took the message.
    func deliverAll(_ result: SublistResult<Subscription>, in account: Account, from source: Source,
                    _ subject: UnsafeRawBufferPointer, _ reply: UnsafeRawBufferPointer,
                    _ headerLength: Int, _ body: UnsafeRawBufferPointer,
                    queueFilter: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
                    hops: Int = 0) -> Bool {
        if result.isEmpty { return false }
        let firstTarget = routeTargets.count
        var delivered = false
        let fromRoute: Bool
        if case .route = source { fromRoute = true } else { fromRoute = false }
        for sub in result.plain {
            if let route = sub.route {
                if !fromRoute && !Self.denied(sub, subject) { addRouteTarget(route, queue: nil, from: firstTarget) }
            } else if deliver(sub, from: source, subject, reply, headerLength, body, hops: hops) {
                delivered = true
            }
        }
        if !fromRoute || queueFilter.count > 0 {
            for group in result.queues where !group.isEmpty {
                if fromRoute && !Self.names(queueFilter, contain: group[0].queue) { continue }
                if deliverToOne(of: group, from: source, firstTarget: firstTarget, subject, reply, headerLength, body, hops: hops) {
                    delivered = true
                }
            }
        }
        if routeTargets.count > firstTarget {
            if sendToRoutes(from: firstTarget, account, subject, reply, headerLength, body) { delivered = true }
        }
        return delivered
    }

    /// Picks one member by weight (a remote entry weighs as many members as its peer has); from
    /// a route only local members qualify. A remote pick adds the group to that route's RMSG.
    private func deliverToOne(of group: [Subscription], from source: Source, firstTarget: Int,
                              _ subject: UnsafeRawBufferPointer, _ reply: UnsafeRawBufferPointer,
                              _ headerLength: Int, _ body: UnsafeRawBufferPointer, hops: Int) -> Bool {
        let localOnly: Bool
        if case .route = source { localOnly = true } else { localOnly = false }
        var total = 0
        for sub in group where !(localOnly && sub.route != nil) { total += sub.weight }
        guard total > 0 else { return false }
        random ^= random << 13
        random ^= random >> 7
        random ^= random << 17
        var pick = Int(random % UInt64(total))
        var start = 0
        for (index, sub) in group.enumerated() where !(localOnly && sub.route != nil) {
            if pick < sub.weight {
                start = index
                break
            }
            pick -= sub.weight
        }
        for k in 0..<group.count {
            let sub = group[(start + k) % group.count]
            if let route = sub.route {
                if localOnly || Self.denied(sub, subject) { continue }
                addRouteTarget(route, queue: sub.queue, from: firstTarget)
                return true
            }
            if deliver(sub, from: source, subject, reply, headerLength, body, hops: hops) { return true }
        }
        return false
    }

    private func addRouteTarget(_ route: RouteConnection, queue: String?, from first: Int) {
        var index = first
        while index < routeTargets.count && routeTargets[index].route !== route { index += 1 }
        if index == routeTargets.count { routeTargets.append(RouteTarget(route: route, queues: [])) }
        guard let queue else { return }
        if !routeTargets[index].queues.isEmpty { routeTargets[index].queues.append(UInt8(ascii: " ")) }
        routeTargets[index].queues.append(contentsOf: queue.utf8)
    }

    private func sendToRoutes(from first: Int, _ account: Account, _ subject: UnsafeRawBufferPointer,
                              _ reply: UnsafeRawBufferPointer, _ headerLength: Int,
                              _ body: UnsafeRawBufferPointer) -> Bool {
        var sent = false
        for target in routeTargets[first...] {
            let outcome = target.queues.withUnsafeBytes { queues in
                account.nameBytes.withUnsafeBytes { name in
                    target.route.deliver(account: name, subject: subject, reply: reply, queues: queues,
                                         headerLength: headerLength, body: body)
                }
            }
            if record(outcome, target.route) { sent = true }
        }
        routeTargets.removeSubrange(first...)
        return sent
    }

    /// Whether the space-separated `names` include `queue`.
    private static func names(_ names: UnsafeRawBufferPointer, contain queue: String?) -> Bool {
        guard let queue else { return false }
        var found = false
        RoutedFrame.forEachQueue(in: names, 0..<names.count) { range in
            if !found && names[range].elementsEqual(queue.utf8) { found = true }
        }
        return found
    }

    private func deliver(_ sub: Subscription, from source: Source, _ subject: UnsafeRawBufferPointer,
                         _ reply: UnsafeRawBufferPointer, _ headerLength: Int,
                         _ body: UnsafeRawBufferPointer, hops: Int) -> Bool {
        guard let target = sub.connection else {
            return forward(sub.forward!, from: source, subject, reply, headerLength, body, hops: hops)
        }
        if case .client(let origin, true) = source, target === origin { return false }
        if let route = sub.streamImport {
            return deliverImported(sub, target, route, subject, reply, headerLength, body)
        }
        if Self.denied(sub, subject) { return false }
        return queue(sub, target, subject, reply, headerLength, body)
    }

    /// Whether `subject` is one a wildcard subscription must not receive (its deny filter).
    private static func denied(_ sub: Subscription, _ subject: UnsafeRawBufferPointer) -> Bool {
        guard let filter = sub.denyFilter else { return false }
        return filter.contains { $0.matches(subject) }
    }

    private func queue(_ sub: Subscription, _ target: ClientConnection, _ subject: UnsafeRawBufferPointer,
                       _ reply: UnsafeRawBufferPointer, _ headerLength: Int,
                       _ body: UnsafeRawBufferPointer) -> Bool {
        let outcome = target.deliver(sub.primary, subject: subject, reply: reply, headerLength: headerLength, body: body)
        if case .queued(_, _, true) = outcome { server.removeSubscription(sub.primary) }
        return record(outcome, target)
    }

    /// Arranges the flush a delivery needs, or closes a slow consumer; returns whether it was queued.
    private func record(_ outcome: LinkConnection.Delivery, _ target: LinkConnection) -> Bool {
        switch outcome {
        case .queued(let needsFlush, let flushNow, _):
            if flushNow {
                target.scheduleFlush()
            } else if needsFlush {
                touched.append(target)
            }
            return true
        case .dropped:
            return false
        case .slowConsumer:
            server.closeSlowConsumer(target)
            return false
        }
    }

    /// A stream-import shadow: rewrite the subject to the importer's view, check it still
    /// matches the importer's subscription, then deliver.
    private func deliverImported(_ sub: Subscription, _ target: ClientConnection, _ route: StreamImportRoute,
                                 _ subject: UnsafeRawBufferPointer, _ reply: UnsafeRawBufferPointer,
                                 _ headerLength: Int, _ body: UnsafeRawBufferPointer) -> Bool {
        let local = Array(route.toLocal(String(decoding: subject, as: UTF8.self)).utf8)
        return local.withUnsafeBytes { localSubject in
            if let filter = sub.shadowFilter, !filter.matches(localSubject) { return false }
            if Self.denied(sub, localSubject) { return false }
            return queue(sub, target, localSubject, reply, headerLength, body)
        }
    }

    /// Carries a message across an import: a request into the exporter with a mapped reply, or
    /// a response back to the importer's original reply. Requests that came over a route were
    /// already resolved by the server their requester is on (nats-server: no service imports
    /// for messages from routes), so only responses cross here.
    private func forward(_ route: ImportRoute, from source: Source, _ subject: UnsafeRawBufferPointer,
                         _ reply: UnsafeRawBufferPointer, _ headerLength: Int,
                         _ body: UnsafeRawBufferPointer, hops: Int) -> Bool {
        guard hops < Self.maxImportHops else { return false }
        switch route {
        case .serviceImport(let service):
            if case .route = source { return false }
            let remote = Array(service.toRemote(String(decoding: subject, as: UTF8.self)).utf8)
            let mappedReply = reply.isEmpty ? [] : Array(service.responses.register(reply: reply).utf8)
            let (message, messageHeaderLength) = withRequestInfo(headerLength, body, importer: service.importer)
            return remote.withUnsafeBytes { remoteSubject in
                mappedReply.withUnsafeBytes { remoteReply in
                    message.withUnsafeBytes { remoteBody in
                        let result = service.exporter.sublist.match(String(decoding: remoteSubject, as: UTF8.self))
                        return deliverAll(result, in: service.exporter, from: source, remoteSubject, remoteReply,
                                          messageHeaderLength, remoteBody, hops: hops + 1)
                    }
                }
            }
        case .serviceResponses(let table):
            guard let original = table.resolve(String(decoding: subject, as: UTF8.self)) else { return false }
            return original.withUnsafeBytes { originalReply in
                let result = table.importer.sublist.match(String(decoding: originalReply, as: UTF8.self))
                return deliverAll(result, in: table.importer, from: source, originalReply, reply, headerLength, body,
                                  hops: hops + 1)
            }
        }
    }

    /// The request with nats-server's `Nats-Request-Info: {"acc":...,"rtt":...}` header set, as a
    /// service import adds it (client.go: processServiceImport, setHeader).
    private func withRequestInfo(_ headerLength: Int, _ body: UnsafeRawBufferPointer,
                                 importer: Account) -> (message: [UInt8], headerLength: Int) {
        let key = "Nats-Request-Info"
        var header: [UInt8]
        if headerLength > 2 {
            let lines = String(decoding: body.span(0..<(headerLength - 2)), as: UTF8.self)
                .components(separatedBy: "\r\n").filter { !$0.isEmpty }
            let kept = lines.filter { !$0.lowercased().hasPrefix(key.lowercased() + ":") }
            header = Array((kept.joined(separator: "\r\n") + "\r\n").utf8)
        } else {
            header = Array("NATS/1.0\r\n".utf8)
        }
        var json = "{\"acc\":\(Self.jsonString(importer.name))"
        if let rtt = requestRTT {
            let (seconds, attoseconds) = rtt.components
            json += ",\"rtt\":\(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)"
        }
        header += Array("\(key): \(json)}\r\n\r\n".utf8)
        let payload = headerLength > 0 ? body.span(headerLength..<body.count) : body
        return (header + Array(payload), header.count)
    }

    private static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
