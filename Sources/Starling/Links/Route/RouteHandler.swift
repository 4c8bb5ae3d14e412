import Foundation
import Logging
import NIOCore
import NATSSubjects
import NATSWire
import StarlingTLS

/// The route link's state machine (nats-server route.go): TLS first when configured, then the
/// INFO/CONNECT handshake, then RS+/RS- interest and RMSG/HMSG messages from a peer server.
///
/// Lives on the connection's event loop. Messages from a peer are delivered to local
/// subscribers only: the mesh is full, so nothing is forwarded to another route.
final class RouteHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let cluster: Cluster
    let dial: RouteDial?
    var connection: RouteConnection!
    var parser: WireParser
    var dispatch: MessageDispatch
    var pendingInput: ByteBuffer?
    var closing = false
    var label = ""
    var closeReason = "Client Closed"
    /// Set when the peer's CONNECT has been accepted (accepting side) or sent (dialling side).
    var connectDone = false
    /// Set while the peer's credentials are checked off the event loop: input waits.
    var paused = false
    /// Whether our INFO still waits for the peer's (a dialled pooled route sends the slot it took).
    var infoDelayed = false
    var registered = false
    var inMsgs = 0
    var inBytes = 0
    var totalInMsgs = 0
    var totalInBytes = 0
    var pingsOut = 0
    var pingSentAt: ContinuousClock.Instant?
    var rtt: Duration?
    var pingTask: RepeatedTask?
    var authTimer: Scheduled<Void>?
    var tlsSession: TLSConnectionInfo?
    var started = Date()
    var lastActivity = Date()
    var remoteAddress = ("", 0)
    /// Dial the next pool connection when the next PONG arrives.
    var dialNextOnPong = false
    /// Whether the peer's headers flag allows HMSG.
    var peerHeaders = false
    /// The account of a pinned route.
    var pinnedAccount: Account?
    /// Accounts recently named by the peer's ops.
    var accountCache: [Account] = []
    /// Match results per account, as a publishing client keeps them (no String, no lock on a hit).
    var matchCaches: [ObjectIdentifier: PublishCache] = [:]

    init(cluster: Cluster, dial: RouteDial?) {
        self.cluster = cluster
        self.dial = dial
        let opts = cluster.server.options
        // No message may arrive before the handshake; after it a peer's messages are bounded by
        // the largest max_payload nats-server accepts.
        self.parser = WireParser(maxControlLine: opts.maxControlLine, maxPayload: 0, dialect: .route(accountInOps: true))
        self.dispatch = MessageDispatch(server: cluster.server)
    }

    var server: Server { cluster.server }

    /// nats-server's ceiling for max_payload (MAX_PAYLOAD_MAX_SIZE): no peer sends more.
    static var maxRoutedPayload: Int { 64 * 1024 * 1024 }
    var log: Logger { cluster.server.log }

    // MARK: Lifecycle

    func channelActive(context: ChannelHandlerContext) {
        let opts = server.options
        let id = server.nextClientID()
        connection = RouteConnection(id: id, channel: context.channel, dial: dial,
                                     maxPending: opts.maxPending, writeDeadline: TimeAmount(opts.writeDeadline),
                                     handler: LinkHandlerReference(self, eventLoop: context.eventLoop))
        if let remote = context.channel.remoteAddress {
            remoteAddress = (remote.ipAddress ?? "", remote.port ?? 0)
        }
        label = "\(Server.hostPort(remoteAddress.0, remoteAddress.1)) - rid:\(id)"
        cluster.track(connection)
        log.info("\(label) - Route connection created")
        if cluster.tlsRequired {
            if dial == nil, let tls = cluster.serverTLS {
                do {
                    try tls.addHandlers(to: context.pipeline.syncOperations)
                } catch {
                    log.error("\(label) - TLS setup failed: \(error)")
                    fail("", sendError: false)
                }
            }
            return  // the handshake's end (TLSEstablished) starts the route protocol
        }
        begin()
    }

    /// Starts the route protocol once the connection is secured as configured.
    private func begin() {
        let loop = connection.eventLoop
        if let dial {
            sendConnect(dial)
            connectDone = true
            infoDelayed = dial.account == nil && cluster.poolSize >= 1
            if !infoDelayed { send(cluster.routeInfoLine(account: dial.account, poolIndex: 0)) }
        } else {
            send(cluster.routeInfoLine(account: nil, poolIndex: 0))
            if cluster.options.username != nil {
                let timeout = cluster.options.authTimeout ?? server.options.auth.timeout ?? server.options.authTimeout
                let bound = NIOLoopBound(self, eventLoop: loop)
                authTimer = loop.scheduleTask(in: TimeAmount(timeout)) {
                    let handler = bound.value
                    guard !handler.connectDone, !handler.closing else { return }
                    handler.log.error("\(handler.label) - Authentication Timeout")
                    handler.closeReason = "Authentication Timeout"
                    handler.fail("Authentication Timeout", sendError: true)
                }
            }
        }
        startPingTimer(on: loop)
        connection.flush()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let established as TLSEstablished:
            tlsSession = established.info
            log.debug("\(label) - TLS handshake complete (\(established.info.version), \(established.info.cipherSuite))")
            begin()
        case let failure as TLSLinkError:
            log.error("\(label) - TLS route handshake error: \(failure)")
            closeReason = "TLS Handshake Error"
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A credentials check still running finds the link closed and stops there.
        closing = true
        // What this batch queued for others still goes out; and the list, which may hold this
        // link's own connection (and so its channel and this handler), is emptied.
        dispatch.flushTouched()
        pingTask?.cancel()
        authTimer?.cancel()
        guard let connection else { return }
        if connection.markClosed() {
            server.stats.slowConsumers.add(1, ordering: .relaxed)
            if connection.stalledWrite {
                closeReason = "Slow Consumer (Write Deadline)"
                log.error("\(label) - Slow Consumer Detected: WriteDeadline of \(server.options.writeDeadline) exceeded on a route")
            } else {
                closeReason = "Slow Consumer (Pending Bytes)"
                log.error("\(label) - Slow Consumer Detected: MaxPending of \(server.options.maxPending) Exceeded on a route")
            }
        }
        log.info("\(label) - Route connection closed: \(closeReason)")
        cluster.routeClosed(connection)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if cluster.tlsRequired && tlsSession == nil {
            log.error("\(label) - TLS route handshake error: \(error)")
            closeReason = "TLS Handshake Error"
        } else {
            log.debug("\(label) - Route connection error: \(error)")
            closeReason = "Read Error"
        }
        context.close(promise: nil)
    }

    // MARK: Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        var input = unwrapInboundIn(data)
        lastActivity = Date()
        if paused {
            if pendingInput == nil { pendingInput = input } else { pendingInput!.writeBuffer(&input) }
            return
        }
        if var pending = pendingInput {
            pendingInput = nil
            pending.writeBuffer(&input)
            consume(&pending)
        } else {
            consume(&input)
        }
    }

    private func consume(_ input: inout ByteBuffer) {
        let used = input.withUnsafeReadableBytes { process($0) }
        input.moveReaderIndex(forwardBy: used)
        if !closing && input.readableBytes > 0 {
            input.discardReadBytes()
            pendingInput = input
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        dispatch.flushTouched()
        if inMsgs > 0 {
            server.stats.routeInMsgs.add(inMsgs, ordering: .relaxed)
            server.stats.routeInBytes.add(inBytes, ordering: .relaxed)
            totalInMsgs += inMsgs
            totalInBytes += inBytes
            inMsgs = 0
            inBytes = 0
        }
    }

    private func process(_ bytes: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        while !closing && !paused {
            switch parser.next(bytes, at: offset) {
            case .op(let op, let next):
                handle(op, bytes)
                offset = next
            case .needMore:
                return offset
            case .failure(let error):
                let snippet = String(decoding: bytes[offset..<min(bytes.count, offset + 32)], as: UTF8.self)
                log.error("\(label) - Route parser ERROR: \(error) proto='\(snippet.debugDescription)'")
                closeReason = "Parse Error"
                switch error {
                case .maxControlLineExceeded: fail("Maximum Control Line Exceeded", sendError: true)
                case .unknownOperation: fail("Unknown Protocol Operation", sendError: true)
                default: fail("", sendError: false)
                }
                return bytes.count
            }
        }
        return offset
    }

    private func handle(_ op: WireOp, _ bytes: UnsafeRawBufferPointer) {
        if server.options.trace {
            log.trace("\(label) - <<- [\(ProtocolTrace.describe(op, bytes))]")
        }
        switch op {
        case .connect(let json):
            processConnect(Data(bytes[json]))
        case .info(let json):
            processInfo(Data(bytes[json]))
        case .ping:
            send("PONG\r\n")
        case .pong:
            pingsOut = 0
            if let sent = pingSentAt {
                rtt = ContinuousClock.now - sent
                pingSentAt = nil
            }
            if dialNextOnPong {
                dialNextOnPong = false
                cluster.dialNextPoolConnection(after: connection)
            }
        case .routeSub(let frame):
            guard registered else { return protocolViolation("RS+ before the handshake") }
            remoteSubscribe(frame, bytes)
        case .routeUnsub(let frame):
            guard registered else { return protocolViolation("RS- before the handshake") }
            remoteUnsubscribe(frame, bytes)
        case .routedMsg(let frame):
            guard registered else { return protocolViolation("RMSG before the handshake") }
            routedMessage(frame, bytes)
        case .err(let text):
            let message = String(decoding: bytes[text], as: UTF8.self)
            log.error("\(label) - Route Error \(message)")
            if message.contains("Not possible to have a dedicated route") { connection.peer.withLock { $0.noRedial = true } }
            closeReason = "Route Error"
            fail("", sendError: false)
        case .ok:
            break
        case .pub, .sub, .unsub, .msg:
            protocolViolation("client operation on a route")
        }
    }

    private func protocolViolation(_ what: String) {
        log.error("\(label) - Route protocol violation: \(what)")
        closeReason = "Protocol Violation"
        fail("", sendError: false)
    }

    // MARK: Handshake

    /// nats-server checks the credentials first (client.go: processConnect, isRouterAuthorized),
    /// then what the CONNECT says (route.go: processRouteConnect).
    private func processConnect(_ json: Data) {
        guard dial == nil, !connectDone else { return protocolViolation("unexpected CONNECT") }
        guard let connect = try? JSONDecoder().decode(RouteConnect.self, from: json) else {
            closeReason = "Protocol Violation"
            log.error("\(label) - Route CONNECT could not be parsed")
            return fail("", sendError: false)
        }
        // Without a bcrypt hash to check, all of it happens now, as nats-server does it: a CONNECT
        // whose sender hangs up at once (a named solicitor seeing our dynamic name) still renames us.
        guard cluster.authorizationIsSlow else {
            return finish(connect, authorized: cluster.authorize(user: connect.user, password: connect.pass, tls: tlsSession))
        }
        // A bcrypt check runs on the blocking pool while input waits.
        paused = true
        connection.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        let (cluster, tls) = (self.cluster, tlsSession)
        let bound = NIOLoopBound(self, eventLoop: connection.eventLoop)
        server.blockingPool.runIfActive(eventLoop: connection.eventLoop) {
            cluster.authorize(user: connect.user, password: connect.pass, tls: tls)
        }.whenComplete { result in
            let handler = bound.value
            guard !handler.closing else { return }
            handler.finish(connect, authorized: (try? result.get()) ?? false)
        }
    }

    private func finish(_ connect: RouteConnect, authorized: Bool) {
        guard authorized else {
            log.error("\(label) - Authorization Error")
            closeReason = "Authentication Failure"
            return fail("Authorization Violation", sendError: true)
        }
        accept(connect)
    }

    /// Completes a CONNECT whose credentials were accepted, then reads on.
    private func accept(_ connect: RouteConnect) {
        if connect.lang != nil {
            log.error("\(label) - Client attempted to connect to route port")
            closeReason = "Wrong Port"
            return fail("attempted to connect to route port", sendError: true)
        }
        if let gateway = connect.gateway {
            let text = "Rejecting connection from gateway \"\(gateway)\" on the Route port"
            log.error("\(label) - \(text)")
            closeReason = "Wrong Gateway"
            return fail(text, sendError: true)
        }
        if let rejection = cluster.checkClusterName(connect.cluster ?? "", dynamic: connect.clusterDynamic ?? false,
                                                    peerID: connect.name ?? "") {
            log.error("\(label) - \(rejection)")
            closeReason = "Cluster Name Conflict"
            return fail(rejection, sendError: true)
        }
        connectDone = true
        authTimer?.cancel()
        peerHeaders = connect.headers ?? false
        parser.leafUnsubCarriesOrigin = connect.lnocu ?? false
        connection.setHeadersSupported(peerHeaders && server.options.headers)
        paused = false
        connection.channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
        if var pending = pendingInput {
            pendingInput = nil
            consume(&pending)
        }
        dispatch.flushTouched()
    }

    private func sendConnect(_ dial: RouteDial) {
        let options = cluster.options
        let connect = RouteConnect(echo: true, verbose: false, pedantic: false,
                                   user: dial.url.username ?? options.username,
                                   pass: dial.url.username != nil ? dial.url.password : options.password,
                                   tlsRequired: cluster.tlsRequired, headers: server.options.headers,
                                   name: server.serverID, cluster: cluster.name,
                                   clusterDynamic: cluster.isNameDynamic ? true : nil, lnoc: true, lnocu: true)
        let json = (try? JSONEncoder.route.encode(connect)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        send("CONNECT \(json)\r\n")
    }

    private func processInfo(_ json: Data) {
        guard connectDone else { return protocolViolation("INFO before CONNECT") }
        guard let info = try? JSONDecoder().decode(RouteInfo.self, from: json) else {
            log.error("\(label) - Route INFO could not be parsed")
            closeReason = "Protocol Violation"
            return fail("", sendError: false)
        }
        if registered {
            cluster.processAsyncInfo(info, from: connection)
            return
        }
        if info.serverID == server.serverID {
            log.debug("\(label) - Detected route to self, ignoring")
            closeReason = "Duplicate Route"
            cluster.markRouteToSelf(dial)
            return fail("", sendError: false)
        }
        if let rejection = cluster.checkClusterName(info.cluster ?? "", dynamic: info.clusterDynamic ?? false,
                                                    peerID: info.serverID) {
            log.error("\(label) - \(rejection)")
            closeReason = "Cluster Name Conflict"
            return fail("", sendError: false)
        }
        if dial == nil, let name = info.serverName, name == (server.options.serverName ?? server.serverID) {
            log.error("\(label) - Remote server has a duplicate name: \"\(name)\"")
            closeReason = "Duplicate Server Name"
            return fail("", sendError: false)
        }
        if dial != nil {
            peerHeaders = info.headers ?? false
            parser.leafUnsubCarriesOrigin = info.lnocu ?? false
        }
        connection.setHeadersSupported(peerHeaders && server.options.headers)
        var peerInfo = info
        if peerInfo.ip == nil, let port = info.port {
            peerInfo.ip = "nats-route://\(Server.hostPort(remoteAddress.0, port))/"
        }
        switch cluster.register(connection, info: peerInfo, sendDelayedInfo: infoDelayed) {
        case .registered(let pinned, let askForNext):
            registered = true
            infoDelayed = false
            parser.maxPayload = Self.maxRoutedPayload
            if pinned {
                parser.dialect = .route(accountInOps: false)
                pinnedAccount = connection.peer.withLock { $0.pinnedAccount }.flatMap { server.account(named: $0) }
            }
            label += " - \(info.serverName ?? info.serverID)"
            let place = connection.peer.withLock { p in p.pinnedAccount.map { "account \($0)" } ?? "pool slot \(p.poolIndex ?? 0)" }
            log.debug("\(label) - Registered remote route \"\(info.serverID)\" (\(place))")
            // The PONG gives the link's RTT at once, and paces the next pool connection.
            dialNextOnPong = askForNext
            sendPing()
        case .duplicate:
            log.debug("\(label) - Detected duplicate remote route \"\(info.serverID)\"")
            closeReason = "Duplicate Route"
            fail("", sendError: false)
        case .refused(let text):
            log.error("\(label) - \(text)")
            closeReason = "Protocol Violation"
            fail(text, sendError: true)
        }
        connection.flush()
    }

    // MARK: Interest and messages

    private func remoteSubscribe(_ frame: InterestFrame, _ bytes: UnsafeRawBufferPointer) {
        guard let account = account(frame.account, bytes) else { return }
        let subject = String(decoding: bytes[frame.subject], as: UTF8.self)
        guard Subject.isValid(bytes[frame.subject]) else {
            log.error("\(label) - Route sent an invalid subject \(subject.debugDescription)")
            return
        }
        guard cluster.canExport(subject) else {
            log.debug("\(label) - Can not export \(subject.debugDescription), ignoring remote subscription request")
            return
        }
        let queue = frame.queue.isEmpty ? nil : String(decoding: bytes[frame.queue], as: UTF8.self)
        let key = Self.interestKey(account, subject, queue)
        let sub = Subscription(remote: subject, queue: queue, weight: queue == nil ? 1 : frame.weight, route: connection,
                               denyFilter: cluster.permissions?.deliveryDenyFilter(for: subject))
        // A repeated RS+ changes nothing, except a queue group's weight.
        let (changed, old): (Bool, Subscription?) = connection.remoteInterest.withLock { interest in
            let old = interest[key]
            if let old, queue == nil || old.weight == sub.weight { return (false, nil) }
            interest[key] = sub
            return (true, old)
        }
        guard changed else { return }
        if let old { account.remove(old) }
        account.insert(sub)
    }

    private func remoteUnsubscribe(_ frame: InterestFrame, _ bytes: UnsafeRawBufferPointer) {
        guard let account = account(frame.account, bytes) else { return }
        let subject = String(decoding: bytes[frame.subject], as: UTF8.self)
        let queue = frame.queue.isEmpty ? nil : String(decoding: bytes[frame.queue], as: UTF8.self)
        if let sub = connection.remoteInterest.withLock({ $0.removeValue(forKey: Self.interestKey(account, subject, queue)) }) {
            account.remove(sub)
        }
    }

    /// The peer's interest on this link by `account subject [queue]` (see ``RouteConnection/remoteInterest``).
    private static func interestKey(_ account: Account, _ subject: String, _ queue: String?) -> String {
        "\(account.name) \(subject)" + (queue.map { " \($0)" } ?? "")
    }

    private func routedMessage(_ frame: RoutedFrame, _ bytes: UnsafeRawBufferPointer) {
        inMsgs += 1
        inBytes += frame.body.count
        guard let account = account(frame.account, bytes) else { return }
        let subject = bytes.span(frame.subject)
        let result = matchCaches[ObjectIdentifier(account), default: PublishCache()]
            .lookup(subject, in: account.sublist, permissions: nil).result
        let headerLength = frame.headerLength == 0 ? -1 : frame.headerLength
        _ = dispatch.deliverAll(result, in: account, from: .route, subject, bytes.span(frame.reply), headerLength,
                                bytes.span(frame.body), queueFilter: bytes.span(frame.queues))
    }

    /// The account an op names, or the link's own on a pinned route. Recent names are cached
    /// so that a message costs no String and no registry lock.
    private func account(_ name: Range<Int>, _ bytes: UnsafeRawBufferPointer) -> Account? {
        if name.isEmpty { return pinnedAccount }
        let wanted = bytes.span(name)
        if let hit = accountCache.first(where: { $0.nameBytes.elementsEqual(wanted) }) { return hit }
        let text = String(decoding: wanted, as: UTF8.self)
        guard let found = server.account(named: text) else {
            log.debug("\(label) - Route message for unknown account \(text.debugDescription) dropped")
            return nil
        }
        if accountCache.count >= 16 {
            // Its match cache goes with it: the key is only unique while the account lives.
            matchCaches[ObjectIdentifier(accountCache.removeFirst())] = nil
        }
        accountCache.append(found)
        return found
    }

    // MARK: Writing and closing

    func send(_ line: String) {
        if server.options.trace { log.trace("\(label) - ->> [\(line.trimmingCharacters(in: .newlines))]") }
        if connection.enqueue({ $0.writeString(line) }) { dispatch.touched.append(connection) }
    }

    private func sendPing() {
        pingsOut += 1
        pingSentAt = .now
        send("PING\r\n")
        dispatch.flushTouched()
    }

    /// Stops reading, writes what is queued (and `-ERR '<text>'` when asked), then closes.
    func fail(_ text: String, sendError: Bool) {
        guard !closing else { return }
        closing = true
        pendingInput = nil
        if sendError { _ = connection.enqueue { $0.writeString("-ERR '\(text)'\r\n") } }
        connection.flush()
        _ = connection.markClosed()
        let channel = connection.channel
        channel.writeAndFlush(channel.allocator.buffer(capacity: 0)).whenComplete { _ in channel.close(promise: nil) }
    }

    /// Closes the link because this server adopted another cluster name; a dialled link re-dials.
    func closeForNameConflict() {
        closeReason = "Cluster Name Conflict"
        fail("", sendError: false)
    }

    /// Closes the link during shutdown.
    func closeForShutdown() {
        closeReason = "Server Shutdown"
        connection.peer.withLock { $0.noRedial = true }
        fail("", sendError: false)
    }

    /// Routes ping for RTT about a second after connecting, then every ping interval.
    private func startPingTimer(on loop: any EventLoop) {
        let interval = TimeAmount(cluster.pingInterval)
        let bound = NIOLoopBound(self, eventLoop: loop)
        pingTask = loop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: interval) { _ in
            bound.value.pingTick()
        }
    }

    private func pingTick() {
        guard !closing else { return }
        if pingsOut + 1 > (cluster.options.pingMax ?? server.options.pingMax) {
            log.error("\(label) - Stale Route Connection - Closing")
            closeReason = "Stale Connection"
            fail("Stale Connection", sendError: true)
            return
        }
        sendPing()
    }

    /// The link as /routez shows it. Runs on the connection's event loop.
    func snapshot() -> RouteSnapshot {
        let peer = connection.peer.withLock { $0 }
        let sent = connection.deliveredCounts
        let subs = connection.remoteInterest.withLock { Array($0.values.map(\.subject)) }
        return RouteSnapshot(rid: connection.id, remoteID: peer.remoteID, remoteName: peer.remoteName,
                             didSolicit: dial != nil, isConfigured: dial?.explicit ?? false,
                             ip: remoteAddress.0, port: remoteAddress.1, start: started, lastActivity: lastActivity, rtt: rtt,
                             inMsgs: totalInMsgs + inMsgs, inBytes: totalInBytes + inBytes,
                             outMsgs: sent.msgs, outBytes: sent.bytes, pendingBytes: connection.pendingBytes,
                             subscriptions: subs, poolIndex: peer.poolIndex, account: peer.pinnedAccount,
                             tls: tlsSession)
    }
}

extension JSONEncoder {
    /// Compact, key order as declared: for route protocol JSON.
    static var route: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }
}
