import Foundation
import NIOCore
import NATSWire

/// Parses what the server sends, in place, and dispatches it. Lives on the connection's event
/// loop and owns the subscription table, so delivery takes no lock and makes no hop.
final class NATSChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let core: ConnectionCore
    private let parser = WireParser(maxControlLine: 64 * 1024, maxPayload: .max)
    /// An incomplete frame carried over from the previous read.
    private var pending: ByteBuffer?
    private var subscriptions: [Int: SubscriptionEntry] = [:]
    private var lastSid = -1
    private var lastEntry: SubscriptionEntry?
    private var failed = false

    init(core: ConnectionCore) {
        self.core = core
    }

    // MARK: Subscriptions (event loop only)

    func add(_ entry: SubscriptionEntry) {
        subscriptions[entry.sid] = entry
    }

    /// Applies `UNSUB <sid> [max]` locally; returns false when the sid is unknown.
    @discardableResult
    func unsubscribe(sid: Int, max: Int) -> Bool {
        guard let entry = subscriptions[sid] else { return false }
        if max > 0 && entry.delivered < max {
            entry.max = max
        } else {
            remove(sid)
        }
        return true
    }

    /// The sids of all live subscriptions.
    var sids: [Int] { Array(subscriptions.keys) }

    private func remove(_ sid: Int) {
        guard let entry = subscriptions.removeValue(forKey: sid) else { return }
        if lastSid == sid {
            lastSid = -1
            lastEntry = nil
        }
        entry.finish()
    }

    // MARK: Channel events

    func channelActive(context: ChannelHandlerContext) {
        core.outbound.attach(context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failed = true
        pending = nil
        core.connectionLost()
        for entry in subscriptions.values { entry.finish() }
        subscriptions.removeAll()
        lastEntry = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let failure = ClientTLS.failure(error) { core.fail(failure) }
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var input = unwrapInboundIn(data)
        if pending != nil {
            guard completePending(&input) else { return }
        }
        let used = input.withUnsafeReadableBytes { process($0) }
        input.moveReaderIndex(forwardBy: used)
        if !failed && input.readableBytes > 0 {
            var carry = context.channel.allocator.buffer(capacity: Swift.max(4096, input.readableBytes * 2))
            carry.writeBuffer(&input)
            pending = carry
        }
        if failed { context.close(promise: nil) }
    }

    /// Completes the carried-over frame with as few input bytes as possible: feeds `input` in
    /// doubling pieces until the frame parses, then rewinds `input` to the first byte the frame
    /// did not use, so the rest of the read is parsed in place. Returns false when the whole
    /// input went into the carry-over and the frame is still incomplete.
    private func completePending(_ input: inout ByteBuffer) -> Bool {
        var carry = pending!
        pending = nil
        var step = Swift.max(512, carry.readableBytes)
        while true {
            let before = carry.readableBytes
            let take = Swift.min(step, input.readableBytes)
            var piece = input.readSlice(length: take)!
            carry.writeBuffer(&piece)
            let used = carry.withUnsafeReadableBytes { process($0) }
            if failed { return false }
            if used >= before {
                let leftover = carry.readableBytes - used
                input.moveReaderIndex(to: input.readerIndex - leftover)
                return true
            }
            if input.readableBytes == 0 {
                pending = carry
                return false
            }
            step *= 2
        }
    }

    /// Handles every complete op in `bytes`; returns how many bytes were consumed.
    private func process(_ bytes: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        while !failed {
            switch parser.next(bytes, at: offset) {
            case .op(let op, let next):
                handle(op, bytes)
                offset = next
            case .needMore:
                return offset
            case .failure(let error):
                failed = true
                core.report(.protocolError("\(error)"))
                return bytes.count
            }
        }
        return offset
    }

    private func handle(_ op: WireOp, _ bytes: UnsafeRawBufferPointer) {
        switch op {
        case .msg(let frame):
            deliver(frame, bytes)
        case .ping:
            try? core.outbound.append { $0.writeStaticString("PONG\r\n") }
        case .pong:
            core.outbound.popPongWaiter()?.succeed()
        case .info(let json):
            receivedInfo(Data(bytes[json]))
        case .ok:
            break
        case .err(let text):
            core.report(.fromServer(Self.unquoted(bytes[text])))
        case .pub, .sub, .unsub, .connect, .routeSub, .routeUnsub, .routedMsg:
            failed = true
            core.report(.protocolError("unexpected client operation from server"))
        }
    }

    private func receivedInfo(_ json: Data) {
        guard let info = try? JSONDecoder().decode(NATSServerInfo.self, from: json) else {
            failed = true
            core.report(.protocolError("invalid INFO"))
            return
        }
        core.info.withLock { $0 = info }
        core.firstInfo.succeed(info)
    }

    // MARK: Delivery

    private func deliver(_ frame: MessageFrame, _ bytes: UnsafeRawBufferPointer) {
        let sid = Self.decimal(bytes, frame.sid)
        let entry: SubscriptionEntry
        if sid == lastSid, let last = lastEntry {
            entry = last
        } else {
            guard let found = subscriptions[sid] else { return }
            lastSid = sid
            lastEntry = found
            entry = found
        }
        entry.delivered += 1
        if let frames = entry.frames {
            frames(frame, bytes)
            if entry.max > 0 && entry.delivered >= entry.max { remove(sid) }
            return
        }
        switch entry.sink {
        case .frames(let handler):
            handler(frame, bytes)
        case .callback(let handler):
            handler(Self.message(frame, bytes, sid: sid))
        case .stream(let continuation):
            if case .dropped = continuation.yield(Self.message(frame, bytes, sid: sid)), !entry.reportedSlow {
                entry.reportedSlow = true
                core.report(.slowConsumer(subject: entry.subject, sid: sid))
            }
        case .inbox:
            deliverReply(frame, bytes, sid: sid)
        }
        if entry.max > 0 && entry.delivered >= entry.max { remove(sid) }
    }

    private func deliverReply(_ frame: MessageFrame, _ bytes: UnsafeRawBufferPointer, sid: Int) {
        var dot = frame.subject.upperBound
        while dot > frame.subject.lowerBound && bytes[dot - 1] != UInt8(ascii: ".") { dot -= 1 }
        let token = Self.decimal(bytes, dot..<frame.subject.upperBound)
        guard token > 0, let promise = core.requests.take(UInt64(token)) else { return }
        let message = Self.message(frame, bytes, sid: sid)
        if message.status == 503 && message.payload.isEmpty {
            promise.fail(NATSError.noResponders)
        } else {
            promise.succeed(message)
        }
    }

    static func message(_ frame: MessageFrame, _ bytes: UnsafeRawBufferPointer, sid: Int) -> NATSMessage {
        var headers: NATSHeaders?
        if frame.headerLength > 0 {
            let block = frame.body.lowerBound..<(frame.body.lowerBound + frame.headerLength)
            headers = NATSHeaders(parsing: UnsafeRawBufferPointer(rebasing: bytes[block]))
        }
        return NATSMessage(subject: String(decoding: bytes[frame.subject], as: UTF8.self),
                           reply: frame.reply.isEmpty ? nil : String(decoding: bytes[frame.reply], as: UTF8.self),
                           headers: headers,
                           payload: Array(bytes[frame.payload]),
                           sid: sid)
    }

    /// A non-negative decimal, or -1.
    @inline(__always)
    static func decimal(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int {
        guard !range.isEmpty, range.count <= 18 else { return -1 }
        var n = 0
        for i in range {
            let d = bytes[i] &- 0x30
            guard d <= 9 else { return -1 }
            n = n * 10 + Int(d)
        }
        return n
    }

    /// `-ERR` text without the single quotes nats-server puts around it.
    static func unquoted(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
        var text = Substring(String(decoding: bytes, as: UTF8.self))
        if text.hasPrefix("'") { text = text.dropFirst() }
        if text.hasSuffix("'") { text = text.dropLast() }
        return String(text)
    }
}
