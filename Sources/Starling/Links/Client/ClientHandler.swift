import Foundation
import Logging
import NIOCore
import NATSSubjects
import NATSWire

/// The client link's state machine: parses what the client sends, in place, and acts on it.
///
/// Lives on the connection's event loop. Deliveries go straight into subscribers' outbound
/// buffers; connections whose buffers this read batch made non-empty are flushed once, at the
/// end of the batch.
final class ClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let server: Server
    private var connection: ClientConnection!
    private var parser: WireParser
    private var options = ClientConnectOptions()
    private var pendingInput: ByteBuffer?
    private var closing = false
    private var cache = PublishCache()
    private var touched: [ClientConnection] = []
    private var random: UInt64
    private var inMsgs = 0
    private var inBytes = 0
    private var pingsOut = 0
    private var activitySincePing = false
    private var pingTask: RepeatedTask?
    private var opts: ServerOptions
    private var info = ConnectionInfo()
    private var closeReason = "Client Closed"

    init(server: Server) {
        self.server = server
        self.opts = server.options
        self.parser = WireParser(maxControlLine: opts.maxControlLine, maxPayload: opts.maxPayload)
        self.random = UInt64.random(in: 1...UInt64.max)
    }

    // MARK: Lifecycle

    func channelActive(context: ChannelHandlerContext) {
        let id = server.nextClientID()
        connection = ClientConnection(id: id, channel: context.channel, account: server.globalAccount,
                                      maxPending: opts.maxPending, writeDeadline: TimeAmount(opts.writeDeadline),
                                      handler: NIOLoopBound(self, eventLoop: context.eventLoop))
        info.cid = id
        info.start = Date()
        info.lastActivity = info.start
        info.account = connection.account.name
        if let remote = context.channel.remoteAddress {
            info.ip = remote.ipAddress ?? ""
            info.port = remote.port ?? 0
        }
        let infoLine = server.infoJSON(clientID: id, clientIP: info.ip)
        connection.enqueue { $0.writeString(infoLine) }
        guard server.register(connection) else {
            server.log.error("\(info.ip):\(info.port) - cid:\(id) - Maximum connections exceeded")
            closeReason = "Maximum Connections Exceeded"
            fail(ClientError.maxConnections)
            return
        }
        server.log.debug("\(info.ip):\(info.port) - cid:\(id) - Client connection created")
        startPingTimer(on: context.eventLoop)
        connection.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        pingTask?.cancel()
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
        connection.account.sublist.removeAll(subs)
        record.stop = Date()
        record.reason = closeReason
        server.unregister(connection, closed: record)
        server.log.debug("\(info.ip):\(info.port) - cid:\(connection.id) - Client connection closed")
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        server.log.debug("\(info.ip):\(info.port) - cid:\(info.cid) - Connection error: \(error)")
        context.close(promise: nil)
    }

    // MARK: Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        var input = unwrapInboundIn(data)
        activitySincePing = true
        info.lastActivity = Date()
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

    private func flushTouched() {
        for peer in touched { peer.scheduleFlush() }
        touched.removeAll(keepingCapacity: true)
    }

    /// Parses and handles every complete op; returns the bytes consumed.
    private func process(_ bytes: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        while !closing {
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

    private func handleFailure(_ error: WireError, _ bytes: UnsafeRawBufferPointer, _ offset: Int) {
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

    private func handle(_ op: WireOp, _ bytes: UnsafeRawBufferPointer) {
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
        case .connect(let json):
            processConnect(Data(bytes[json]))
        case .info:
            break
        case .msg, .ok, .err:
            closeReason = "Parse Error"
            fail(ClientError.unknownOperation)
        }
    }

    // MARK: Operations

    private func processConnect(_ json: Data) {
        let decoded: ClientConnectOptions
        do {
            decoded = try JSONDecoder().decode(ClientConnectOptions.self, from: json)
        } catch {
            server.log.error("\(info.ip):\(info.port) - cid:\(info.cid) - Invalid CONNECT: \(error.localizedDescription)")
            closeReason = "Protocol Violation"
            closeNow()
            return
        }
        if decoded.protocol < 0 || decoded.protocol > 1 {
            closeReason = "Bad Client Protocol Version"
            fail(ClientError.invalidProtocol)
            return
        }
        if decoded.noResponders && !decoded.headers {
            closeReason = "Protocol Violation"
            fail(ClientError.noRespondersRequiresHeaders)
            return
        }
        options = decoded
        info.name = decoded.name ?? ""
        info.lang = decoded.lang ?? ""
        info.version = decoded.version ?? ""
        connection.setHeadersSupported(decoded.headers)
        ok()
    }

    private func publish(_ frame: MessageFrame, _ bytes: UnsafeRawBufferPointer) {
        if frame.hasHeaders && !options.headers {
            server.log.error("\(info.ip):\(info.port) - cid:\(info.cid) - message headers not supported")
            closeReason = "Protocol Violation"
            closeNow()
            return
        }
        let subject = bytes.span(frame.subject)
        inMsgs += 1
        inBytes += frame.body.count
        if options.pedantic && !Subject.isValidLiteral(subject) {
            sendError(ClientError.invalidPublishSubject)
            ok()
            return
        }
        ok()  // nats-server acknowledges a verbose PUB before delivering it
        let reply = bytes.span(frame.reply)
        let body = bytes.span(frame.body)
        let result = cache.match(subject, in: connection.account.sublist)
        var delivered = false
        if !result.isEmpty {
            for sub in result.plain {
                if deliver(sub, subject, reply, frame.headerLength, body) { delivered = true }
            }
            for group in result.queues where !group.isEmpty {
                if deliverToOne(of: group, subject, reply, frame.headerLength, body) { delivered = true }
            }
        }
        if !delivered && !reply.isEmpty && options.noResponders {
            sendNoResponders(reply: reply)
        }
    }

    /// Delivers to one queue member, starting at a random one and moving on past closed members.
    private func deliverToOne(of group: [Subscription], _ subject: UnsafeRawBufferPointer, _ reply: UnsafeRawBufferPointer,
                              _ headerLength: Int, _ body: UnsafeRawBufferPointer) -> Bool {
        random ^= random << 13
        random ^= random >> 7
        random ^= random << 17
        let start = Int(random % UInt64(group.count))
        for k in 0..<group.count {
            if deliver(group[(start + k) % group.count], subject, reply, headerLength, body) { return true }
        }
        return false
    }

    private func deliver(_ sub: Subscription, _ subject: UnsafeRawBufferPointer, _ reply: UnsafeRawBufferPointer,
                         _ headerLength: Int, _ body: UnsafeRawBufferPointer) -> Bool {
        let target = sub.connection
        if !options.echo && target === connection { return false }
        switch target.deliver(sub, subject: subject, reply: reply, headerLength: headerLength, body: body) {
        case .queued(let needsFlush, let limitReached):
            if needsFlush { touched.append(target) }
            if limitReached { server.autoUnsubscribe(sub) }
            return true
        case .dropped:
            return false
        case .slowConsumer:
            server.closeSlowConsumer(target)
            return false
        }
    }

    private func sendNoResponders(reply: UnsafeRawBufferPointer) {
        let replySubject = String(decoding: reply, as: UTF8.self)
        let own = connection.account.sublist.match(replySubject).plain.first { $0.connection === connection }
        guard let sub = own else { return }
        sendProto { out in
            out.writeStaticString("HMSG ")
            out.writeBytes(reply)
            out.writeStaticString(" ")
            out.writeBytes(sub.sid)
            out.writeStaticString(" 16 16\r\nNATS/1.0 503\r\n\r\n\r\n")
        }
    }

    private func subscribe(subject: Slice<UnsafeRawBufferPointer>, queue: Slice<UnsafeRawBufferPointer>,
                           sid: Slice<UnsafeRawBufferPointer>) {
        guard Subject.isValid(subject) else {
            sendError(ClientError.invalidSubject)
            return
        }
        let sidBytes = Array(sid)
        let sidKey = String(decoding: sidBytes, as: UTF8.self)
        let sub = Subscription(subject: String(decoding: subject, as: UTF8.self),
                               queue: queue.isEmpty ? nil : String(decoding: queue, as: UTF8.self),
                               sid: sidBytes, connection: connection)
        let limit = opts.maxSubscriptions
        let added: Bool? = connection.subscriptions.withLock { subs in
            if subs[sidKey] != nil { return false }
            if limit > 0 && subs.count >= limit { return nil }
            subs[sidKey] = sub
            return true
        }
        switch added {
        case nil:
            server.log.error("\(info.ip):\(info.port) - cid:\(info.cid) - Maximum Subscriptions Exceeded (\(limit))")
            sendError(ClientError.maxSubscriptions)
            return
        case true?:
            connection.account.sublist.insert(sub)
        case false?:
            break
        }
        ok()
    }

    private func unsubscribe(sid: String, max: Int?) {
        let sub = connection.subscriptions.withLock { $0[sid] }
        if let sub {
            let keep = connection.setDeliveryLimit(sub, max: max ?? 0)
            if !keep { server.removeSubscription(sub) }
        }
        ok()
    }

    // MARK: Replies and closing

    private func ok() {
        if options.verbose { sendProto { $0.writeStaticString("+OK\r\n") } }
    }

    private func sendError(_ text: String) {
        sendProto { $0.writeString("-ERR '\(text)'\r\n") }
    }

    private func sendProto(_ write: (inout ByteBuffer) -> Void) {
        if connection.enqueue(write) { touched.append(connection) }
    }

    /// Sends `-ERR '<text>'`, then closes once it is written.
    func fail(_ text: String) {
        guard !closing else { return }
        closing = true
        pendingInput = nil
        let channel = connection.channel
        var out = channel.allocator.buffer(capacity: text.utf8.count + 10)
        out.writeString("-ERR '\(text)'\r\n")
        connection.flush()
        _ = connection.markClosed()
        channel.writeAndFlush(out).whenComplete { _ in channel.close(promise: nil) }
    }

    /// Closes without a message (nats-server's behaviour for malformed arguments).
    func closeNow() {
        guard !closing else { return }
        closing = true
        pendingInput = nil
        connection.flush()
        _ = connection.markClosed()
        let channel = connection.channel
        channel.writeAndFlush(channel.allocator.buffer(capacity: 0)).whenComplete { _ in channel.close(promise: nil) }
    }

    // MARK: Reload

    /// Applies reloaded options to this live connection.
    func apply(_ new: ServerOptions) {
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

    private func startPingTimer(on loop: any EventLoop) {
        let interval = TimeAmount(opts.pingInterval)
        let loopBound = NIOLoopBound(self, eventLoop: loop)
        pingTask = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            loopBound.value.pingTick()
        }
    }

    private func pingTick() {
        guard !closing else { return }
        // As nats-server does for clients: recent inbound data delays the PING.
        if activitySincePing {
            activitySincePing = false
            return
        }
        if pingsOut + 1 > opts.pingMax {
            server.stats.staleConnections.add(1, ordering: .relaxed)
            server.log.debug("\(info.ip):\(info.port) - cid:\(info.cid) - Stale Client Connection - Closing")
            closeReason = "Stale Connection"
            fail(ClientError.staleConnection)
            return
        }
        pingsOut += 1
        if connection.enqueue({ $0.writeStaticString("PING\r\n") }) { connection.flush() }
    }
}
