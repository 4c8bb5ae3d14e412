import Foundation
import Logging
import NIOCore
import NATSSubjects
import NATSWire
import StarlingTLS

/// The client link's state machine: parses what the client sends, in place, and acts on it.
///
/// Lives on the connection's event loop. Deliveries go straight into subscribers' outbound
/// buffers; connections whose buffers this read batch made non-empty are flushed once, at the
/// end of the batch.
final class ClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let server: Server
    var connection: ClientConnection!
    var parser: WireParser
    var options = ClientConnectOptions()
    var pendingInput: ByteBuffer?
    var closing = false
    var cache = PublishCache()
    /// Delivers what this client publishes; its `touched` connections are flushed per read batch.
    var dispatch: MessageDispatch
    var inMsgs = 0
    var inBytes = 0
    var pingsOut = 0
    var activitySincePing = false
    var pingSentAt: ContinuousClock.Instant?
    var measuringRTT = false
    var pingTask: RepeatedTask?
    var authTimer: Scheduled<Void>?
    var opts: ServerOptions
    var info = ConnectionInfo()
    var closeReason = "Client Closed"
    /// The account messages are matched in (loop-owned copy of the connection's).
    var account: Account
    /// Who the client is; nil until authenticated when authentication is required.
    var identity: ClientIdentity?
    /// The nonce sent in INFO for NKey authentication.
    var nonce: String?
    /// Whether a CONNECT has been accepted (stops the authentication timer).
    var connectAccepted = false
    /// Set while CONNECT's credentials are checked off the event loop: input waits.
    var paused = false

    /// The listener's TLS when this connection was accepted.
    let tls: ServerTLS?
    /// The negotiated TLS session, once the handshake is done.
    var tlsSession: TLSConnectionInfo?
    /// With `handshake_first`: INFO waits for the handshake.
    var infoAfterHandshake = false

    init(server: Server, tls: ServerTLS?) {
        self.server = server
        self.tls = tls
        self.opts = server.options
        self.parser = WireParser(maxControlLine: opts.maxControlLine, maxPayload: opts.maxPayload)
        self.dispatch = MessageDispatch(server: server)
        self.account = server.globalAccount
    }

    // MARK: Lifecycle

    func channelActive(context: ChannelHandlerContext) {
        let id = server.nextClientID()
        let authenticator = server.authenticator
        identity = authenticator.defaultIdentity()
        account = identity?.account ?? server.globalAccount
        connection = ClientConnection(id: id, channel: context.channel, account: account,
                                      maxPending: opts.maxPending, writeDeadline: TimeAmount(opts.writeDeadline),
                                      handler: LinkHandlerReference(self, eventLoop: context.eventLoop))
        connection.setResponsePermission(identity?.permissions?.responses)
        info.cid = id
        info.start = Date()
        info.lastActivity = info.start
        info.account = account.name
        info.authorizedUser = identity?.displayName ?? ""
        if let remote = context.channel.remoteAddress {
            info.ip = remote.ipAddress ?? ""
            info.port = remote.port ?? 0
        }
        if authenticator.usesNonce { nonce = ServerIdentity.nonce() }
        let handshakeFirst = tls.map { $0.settings.handshakeFirst != .off } ?? false
        if !handshakeFirst { queueInfo() }
        guard server.register(connection) else {
            server.log.error("\(info.ip):\(info.port) - cid:\(id) - Maximum connections exceeded")
            closeReason = "Maximum Connections Exceeded"
            fail(ClientError.maxConnections)
            return
        }
        server.log.debug("\(info.ip):\(info.port) - cid:\(id) - Client connection created")
        startPingTimer(on: context.eventLoop)
        if authenticator.required { startAuthTimer(on: context.eventLoop) }
        connection.flush()
        if let tls, !handshakeFirst { startTLS(tls, context: context) }
    }

    /// Queues this client's INFO.
    func queueInfo() {
        let authenticator = server.authenticator
        let line = server.infoJSON(clientID: info.cid, clientIP: info.ip, nonce: nonce, authRequired: authenticator.required)
        connection.enqueue { $0.writeString(line) }
    }

    /// INFO went out in plaintext: everything after it goes through TLS.
    private func startTLS(_ tls: ServerTLS, context: ChannelHandlerContext) {
        do {
            try tls.addHandlers(to: context.pipeline.syncOperations)
        } catch {
            server.log.error("\(info.ip):\(info.port) - cid:\(info.cid) - TLS setup failed: \(error)")
            closeReason = "TLS Handshake Error"
            closeNow()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let decision as TLSFirstDecision:
            if decision == .tlsFirst {
                infoAfterHandshake = true
            } else if let tls {
                queueInfo()
                connection.flush()
                startTLS(tls, context: context)
            }
        case let established as TLSEstablished:
            tlsSession = established.info
            info.tls = established.info
            server.log.debug("\(info.ip):\(info.port) - cid:\(info.cid) - TLS handshake complete (\(established.info.version), \(established.info.cipherSuite))")
            if infoAfterHandshake {
                infoAfterHandshake = false
                queueInfo()
                connection.flush()
            }
        case let failure as TLSLinkError:
            server.log.error("\(info.ip):\(info.port) - cid:\(info.cid) - TLS handshake error: \(failure)")
            closeReason = "TLS Handshake Error"
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A credentials check still running finds the connection closed and stops there
        // (it must not bind subscriptions nobody will remove).
        closing = true
        // What this batch queued for others still goes out; and the list, which may hold this
        // connection (and so its channel and this handler), is emptied.
        flushTouched()
        pingTask?.cancel()
        authTimer?.cancel()
        guard let connection else { return }
        if connection.markClosed() {
            server.stats.slowConsumers.add(1, ordering: .relaxed)
            connection.account.stats.slowConsumers.add(1, ordering: .relaxed)
            closeReason = connection.stalledWrite ? "Slow Consumer (Write Deadline)" : "Slow Consumer (Pending Bytes)"
            server.log.info("\(info.ip):\(info.port) - cid:\(connection.id) - Slow Consumer Detected: \(connection.stalledWrite ? "WriteDeadline of \(opts.writeDeadline) exceeded" : "MaxPending of \(opts.maxPending) Exceeded")")
        }
        var record = snapshot(subscriptions: .detail)
        let subs = connection.subscriptions.withLock { s in
            let all = Array(s.values)
            s.removeAll()
            return all
        }
        connection.account.removeAll(subs)
        for sub in subs { removeShadows(of: sub) }
        record.stop = Date()
        record.reason = closeReason
        server.unregister(connection, closed: record)
        server.log.debug("\(info.ip):\(info.port) - cid:\(connection.id) - Client connection closed")
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if tls != nil && tlsSession == nil {
            server.log.error("\(info.ip):\(info.port) - cid:\(info.cid) - TLS handshake error: \(error)")
            closeReason = "TLS Handshake Error"
        } else {
            server.log.debug("\(info.ip):\(info.port) - cid:\(info.cid) - Connection error: \(error)")
            closeReason = "Read Error"
        }
        context.close(promise: nil)
    }

    // MARK: Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        var input = unwrapInboundIn(data)
        info.lastActivity = Date()
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

    /// Processes input that waited while the connection was paused.
    func resume() {
        paused = false
        connection.channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
        if var pending = pendingInput {
            pendingInput = nil
            consume(&pending)
        }
        flushTouched()
    }

    func consume(_ input: inout ByteBuffer) {
        let used = input.withUnsafeReadableBytes { process($0) }
        input.moveReaderIndex(forwardBy: used)
        if !closing && input.readableBytes > 0 {
            input.discardReadBytes()
            pendingInput = input
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushTouched()
        if inMsgs > 0 {
            server.stats.inMsgs.add(inMsgs, ordering: .relaxed)
            server.stats.inBytes.add(inBytes, ordering: .relaxed)
            connection.account.stats.inMsgs.add(inMsgs, ordering: .relaxed)
            connection.account.stats.inBytes.add(inBytes, ordering: .relaxed)
            info.inMsgs += inMsgs
            info.inBytes += inBytes
            inMsgs = 0
            inBytes = 0
        }
    }

    func flushTouched() {
        dispatch.flushTouched()
    }

    /// Parses and handles every complete op; returns the bytes consumed.
    func process(_ bytes: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        while !closing && !paused {
            switch parser.next(bytes, at: offset) {
            case .op(let op, let next):
                handle(op, bytes)
                offset = next
            case .needMore:
                return offset
            case .failure(let error):
                handleFailure(error, bytes, offset)
                return bytes.count
            }
        }
        return offset
    }

    func handleFailure(_ error: WireError, _ bytes: UnsafeRawBufferPointer, _ offset: Int) {
        let snippet = String(decoding: bytes[offset..<min(bytes.count, offset + 32)], as: UTF8.self)
        switch error {
        case .unknownOperation:
            closeReason = "Parse Error"
            server.log.error("\(info.ip):\(info.port) - cid:\(info.cid) - Client parser ERROR: proto='\(snippet.debugDescription)'")
            fail(ClientError.unknownOperation)
        case .maxControlLineExceeded:
            closeReason = "Maximum Control Line Exceeded"
            server.log.error("\(info.ip):\(info.port) - cid:\(info.cid) - maximum control line exceeded: max_control_line \(opts.maxControlLine)")
            fail(ClientError.maxControlLine)
        case .maxPayloadExceeded(let size):
            closeReason = "Maximum Message Payload Exceeded"
            server.log.error("\(info.ip):\(info.port) - cid:\(info.cid) - maximum payload exceeded: \(size) vs \(opts.maxPayload)")
            fail(ClientError.maxPayload)
        case .badArguments(let op):
            closeReason = "Protocol Violation"
            server.log.error("\(info.ip):\(info.port) - cid:\(info.cid) - process\(op) Parse Error: \(snippet.debugDescription)")
            closeNow()
        }
    }

    func handle(_ op: WireOp, _ bytes: UnsafeRawBufferPointer) {
        if opts.trace {
            server.log.trace("\(info.ip):\(info.port) - cid:\(info.cid) - <<- [\(ProtocolTrace.describe(op, bytes))]")
        }
        if identity == nil {
            // nats-server: before authentication only CONNECT is accepted.
            guard case .connect(let json) = op else {
                closeReason = "Authentication Failure"
                fail(ClientError.authorizationViolation)
                return
            }
            processConnect(Data(bytes[json]))
            return
        }
        if case .pong = op {} else { activitySincePing = true }
        switch op {
        case .pub(let frame):
            publish(frame, bytes)
        case .sub(let subject, let queue, let sid):
            subscribe(subject: bytes[subject], queue: bytes[queue], sid: bytes[sid])
        case .unsub(let sid, let max):
            unsubscribe(sid: String(decoding: bytes[sid], as: UTF8.self), max: max)
        case .ping:
            sendProto { $0.writeStaticString("PONG\r\n") }
        case .pong:
            pingsOut = 0
            if let sent = pingSentAt {
                info.rtt = ContinuousClock.now - sent
                dispatch.requestRTT = info.rtt
                pingSentAt = nil
            }
        case .connect(let json):
            processConnect(Data(bytes[json]))
        case .info, .ok:
            break
        case .err:
            closeReason = "Protocol Violation"
            closeNow()
        case .msg, .routeSub, .routeUnsub, .routedMsg:
            closeReason = "Parse Error"
            fail(ClientError.unknownOperation)
        }
    }

    // MARK: Replies and closing

    func ok() {
        if options.verbose { sendProto { $0.writeStaticString("+OK\r\n") } }
    }

    func sendError(_ text: String) {
        sendProto { $0.writeString("-ERR '\(text)'\r\n") }
    }

    func sendProto(_ write: (inout ByteBuffer) -> Void) {
        if opts.trace {
            var copy = ByteBuffer()
            write(&copy)
            let line = String(buffer: copy).trimmingCharacters(in: .newlines)
            server.log.trace("\(info.ip):\(info.port) - cid:\(info.cid) - ->> [\(line)]")
        }
        if connection.enqueue(write) { dispatch.touched.append(connection) }
    }

    /// Sends `-ERR '<text>'`, then closes once it is written.
    func fail(_ text: String) {
        close(finalLine: "-ERR '\(text)'\r\n")
    }

    /// Closes without a message (nats-server's behaviour for malformed arguments).
    func closeNow() {
        close(finalLine: nil)
    }

    /// Stops reading, writes what is queued (and a final line, such as an -ERR), then closes.
    /// After a final line the output side is shut first and the socket closed a moment later,
    /// so the client can read it before unread input makes the kernel reset the connection.
    private func close(finalLine: String?) {
        guard !closing else { return }
        closing = true
        pendingInput = nil
        connection.flush()
        _ = connection.markClosed()
        let channel = connection.channel
        var out = channel.allocator.buffer(capacity: finalLine?.utf8.count ?? 0)
        guard let finalLine else {
            channel.writeAndFlush(out).whenComplete { _ in channel.close(promise: nil) }
            return
        }
        out.writeString(finalLine)
        channel.writeAndFlush(out).whenComplete { _ in
            channel.close(mode: .output).whenComplete { _ in
                channel.eventLoop.scheduleTask(in: .milliseconds(250)) { channel.close(promise: nil) }
            }
        }
    }

    // MARK: Reload

    /// Applies reloaded options to this live connection: limits, and who it is — a client
    /// whose user is gone is disconnected; changed permissions and imports apply at once.
    func apply(_ new: ServerOptions, authenticator: Authenticator, tls newTLS: ServerTLS?) {
        if let session = tlsSession, let pins = newTLS?.pinnedCertificates, !pins.accepts(session.peer) {
            server.log.info("\(info.ip):\(info.port) - cid:\(info.cid) - Certificate no longer pinned, closing")
            closeReason = "TLS Handshake Error"
            closeNow()
            return
        }
        if let current = identity, connectAccepted || !authenticator.required {
            // As nats-server: a client whose user (or token) is gone, or whose user moved to
            // another account, is closed without an -ERR; it may log in again.
            guard let renewed = authenticator.revalidate(current), renewed.account === current.account else {
                server.log.info("\(info.ip):\(info.port) - cid:\(info.cid) - \(current.displayName.isEmpty ? "Client" : "User \"\(current.displayName)\"") no longer authorized after reload, closing")
                closeReason = "Authentication Failure"
                // nats-server answers Authorization Violation unless the user was removed or moved.
                if let user = current.user, !authenticator.knows(user) || authenticator.revalidate(current) != nil {
                    closeNow()
                } else {
                    fail(ClientError.authorizationViolation)
                }
                return
            }
            rebind(renewed)
        }
        let intervalChanged = new.pingInterval != opts.pingInterval
        opts = new
        parser = WireParser(maxControlLine: new.maxControlLine, maxPayload: new.maxPayload)
        connection.setLimits(maxPending: new.maxPending, writeDeadline: TimeAmount(new.writeDeadline))
        if intervalChanged && !closing {
            pingTask?.cancel()
            startPingTimer(on: connection.eventLoop)
        }
    }

    /// Tells a client that understands async INFO (protocol 1) that the server is going away.
    func announceLameDuck() {
        guard options.protocol >= 1, !closing else { return }
        let line = server.infoJSON(clientID: info.cid, clientIP: info.ip, lameDuck: true)
        if connection.enqueue({ $0.writeString(line) }) { connection.flush() }
    }

    /// Sends the current INFO (new `connect_urls`) to a client that takes asynchronous INFO.
    func sendAsyncInfo() {
        guard options.protocol >= 1, connectAccepted, !closing else { return }
        let line = server.infoJSON(clientID: info.cid, clientIP: info.ip)
        if connection.enqueue({ $0.writeString(line) }) { connection.flush() }
    }

    /// Closes the connection during shutdown or lame duck mode.
    func closeForShutdown() {
        closeReason = "Server Shutdown"
        closeNow()
    }

    // MARK: Monitoring

    /// The connection as /connz shows it. Runs on the connection's event loop.
    func snapshot(subscriptions detail: ConnectionInfo.SubscriptionDetail) -> ConnectionInfo {
        var record = info
        let (outMsgs, outBytes) = connection.deliveredCounts
        record.outMsgs = outMsgs
        record.outBytes = outBytes
        record.pendingBytes = connection.pendingBytes
        let subs = connection.subscriptions.withLock { Array($0.values) }
        record.subscriptions = subs.count
        if detail != .none {
            record.subscriptionList = subs.map { connection.info(of: $0) }
        }
        return record
    }

    // MARK: Timers

    private func startAuthTimer(on loop: any EventLoop) {
        let loopBound = NIOLoopBound(self, eventLoop: loop)
        authTimer = loop.scheduleTask(in: TimeAmount(opts.auth.timeout ?? opts.authTimeout)) {
            let handler = loopBound.value
            guard !handler.connectAccepted, !handler.closing else { return }
            handler.server.log.error("\(handler.info.ip):\(handler.info.port) - cid:\(handler.info.cid) - Authentication Timeout")
            handler.closeReason = "Authentication Timeout"
            handler.fail(ClientError.authenticationTimeout)
        }
    }

    /// nats-server pings a new client after about 2 s (or ping_interval if shorter) to
    /// measure its RTT, then every ping_interval.
    private func startPingTimer(on loop: any EventLoop) {
        let interval = TimeAmount(opts.pingInterval)
        let first = min(interval, .seconds(2)) + .milliseconds(Int64.random(in: 0...200))
        let loopBound = NIOLoopBound(self, eventLoop: loop)
        measuringRTT = info.rtt == nil
        pingTask = loop.scheduleRepeatedTask(initialDelay: first, delay: interval) { _ in
            loopBound.value.pingTick()
        }
    }

    private func pingTick() {
        guard !closing else { return }
        // As nats-server does for clients: recent inbound data (not PONGs) delays the PING,
        // except the first one, which measures the round trip time.
        if activitySincePing && !measuringRTT {
            activitySincePing = false
            return
        }
        activitySincePing = false
        measuringRTT = false
        if pingsOut + 1 > opts.pingMax {
            server.stats.staleConnections.add(1, ordering: .relaxed)
            server.log.debug("\(info.ip):\(info.port) - cid:\(info.cid) - Stale Client Connection - Closing")
            closeReason = "Stale Connection"
            fail(ClientError.staleConnection)
            return
        }
        pingsOut += 1
        pingSentAt = .now
        if connection.enqueue({ $0.writeStaticString("PING\r\n") }) { connection.flush() }
    }
}
