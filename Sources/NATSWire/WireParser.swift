#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming, zero-copy parser for the NATS text protocol.
///
/// The parser is stateless between calls: ``next(_:at:)`` looks at the bytes from an offset and
/// either returns one complete op with the offset after it, asks for more bytes, or fails.
/// A caller keeps unconsumed bytes and calls again when more arrive. Ops are case-insensitive;
/// arguments are separated by spaces or tabs; `\r` before `\n` is optional (nats-server parser.go).
/// Which ops exist depends on ``dialect``.
public struct WireParser: Sendable {
    /// Longest control line accepted (nats-server `max_control_line`, default 4096); 16 times
    /// this on a route, as in nats-server parser.go overMaxControlLineLimit.
    public var maxControlLine: Int
    /// Largest PUB/HPUB size accepted (nats-server `max_payload`, default 1 MiB); MSG is not limited.
    /// In the route dialect it bounds RMSG/HMSG/LMSG instead. nats-server applies no payload limit
    /// to routes (route.go creates route connections with `mpay: -1`; processRoutedMsgArgs checks
    /// none), so a route link should set a memory bound here, not the configured `max_payload`:
    /// a stateless parser would otherwise wait for any declared size up to 999,999,999 bytes.
    public var maxPayload: Int
    /// The op vocabulary of the connection.
    public var dialect: WireDialect
    /// Route dialect only: whether LS- carries the origin cluster. nats-server expects it when the
    /// peer's CONNECT or INFO announced `lnocu` (route.go processRemoteUnsub), as every 2.10+
    /// server does; set this from the peer's `lnocu`.
    public var leafUnsubCarriesOrigin: Bool

    /// Creates a parser with the given limits and dialect.
    public init(maxControlLine: Int = 4096, maxPayload: Int = 1_048_576, dialect: WireDialect = .client) {
        self.maxControlLine = maxControlLine
        self.maxPayload = maxPayload
        self.dialect = dialect
        self.leafUnsubCarriesOrigin = true
    }

    /// The control line limit in force for ``dialect``.
    @inlinable
    var controlLineLimit: Int {
        switch dialect {
        case .client: maxControlLine
        case .route: min(maxControlLine, Int.max / 32) * 16
        }
    }

    /// Parses one op from `bytes[start...]`.
    @inlinable
    public func next(_ bytes: UnsafeRawBufferPointer, at start: Int) -> ParseStep {
        let count = bytes.count
        guard start < count, let base = bytes.baseAddress else { return .needMore }
        let limit = controlLineLimit
        // The limit applies to the arguments (nats-server counts its argument buffer), so the
        // window allows for the op name and separators.
        let window = min(count - start, limit + WireScan.operationSlack)
        guard let nl = memchr(base + start, 0x0A, window) else {
            guard WireScan.isOperationStart(bytes[start], dialect) else { return .failure(.unknownOperation) }
            let arguments = count - WireScan.argumentStart(bytes, start, count)
            return arguments > limit ? .failure(.maxControlLineExceeded) : .needMore
        }
        let newline = base.distance(to: UnsafeRawPointer(nl))
        var lineEnd = newline
        if lineEnd > start && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
        if lineEnd - WireScan.argumentStart(bytes, start, lineEnd) > limit {
            return .failure(.maxControlLineExceeded)
        }
        let after = newline + 1
        if case .route(let accountInOps) = dialect {
            return parseRouteLine(bytes, start, lineEnd, after, accountInOps: accountInOps)
        }
        switch bytes[start] | 0x20 {
        case UInt8(ascii: "p") where start + 1 < lineEnd && bytes[start + 1] | 0x20 == UInt8(ascii: "u"):
            guard let argStart = WireScan.keyword(bytes, start, lineEnd, "pub") else { return .failure(.unknownOperation) }
            return parsePub(bytes, argStart, lineEnd, after, headers: false)
        case UInt8(ascii: "s"):
            guard let argStart = WireScan.keyword(bytes, start, lineEnd, "sub") else { return .failure(.unknownOperation) }
            return parseSub(bytes, argStart, lineEnd, after)
        case UInt8(ascii: "u"):
            guard let argStart = WireScan.keyword(bytes, start, lineEnd, "unsub") else { return .failure(.unknownOperation) }
            return parseUnsub(bytes, argStart, lineEnd, after)
        case UInt8(ascii: "h"):
            if let argStart = WireScan.keyword(bytes, start, lineEnd, "hpub") {
                return parsePub(bytes, argStart, lineEnd, after, headers: true)
            }
            if let argStart = WireScan.keyword(bytes, start, lineEnd, "hmsg") {
                return parseMsg(bytes, argStart, lineEnd, after, headers: true)
            }
            return .failure(.unknownOperation)
        case UInt8(ascii: "m"):
            guard let argStart = WireScan.keyword(bytes, start, lineEnd, "msg") else { return .failure(.unknownOperation) }
            return parseMsg(bytes, argStart, lineEnd, after, headers: false)
        default:
            return parseControl(bytes, start, lineEnd, after)
        }
    }

    /// The ops both dialects share: PING, PONG, CONNECT, INFO, +OK, -ERR; anything else is unknown.
    @inlinable
    func parseControl(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ lineEnd: Int, _ after: Int) -> ParseStep {
        switch bytes[start] | 0x20 {
        case UInt8(ascii: "p"):
            if WireScan.hasPrefix(bytes, start, lineEnd, "ping") { return .op(.ping, next: after) }
            if WireScan.hasPrefix(bytes, start, lineEnd, "pong") { return .op(.pong, next: after) }
            return .failure(.unknownOperation)
        case UInt8(ascii: "c"):
            if lineEnd - start == 7 && WireScan.hasPrefix(bytes, start, lineEnd, "connect") {
                return .op(.connect(json: lineEnd..<lineEnd), next: after)  // no JSON: the link rejects it
            }
            guard let argStart = WireScan.keyword(bytes, start, lineEnd, "connect", allowingBrace: true) else {
                return .failure(.unknownOperation)
            }
            return .op(.connect(json: WireScan.trimmed(bytes, argStart, lineEnd)), next: after)
        case UInt8(ascii: "i"):
            guard let argStart = WireScan.keyword(bytes, start, lineEnd, "info", allowingBrace: true) else {
                return .failure(.unknownOperation)
            }
            return .op(.info(json: WireScan.trimmed(bytes, argStart, lineEnd)), next: after)
        case UInt8(ascii: "+"):
            return WireScan.hasPrefix(bytes, start, lineEnd, "+ok") ? .op(.ok, next: after) : .failure(.unknownOperation)
        case UInt8(ascii: "-"):
            guard let argStart = WireScan.keyword(bytes, start, lineEnd, "-err") else { return .failure(.unknownOperation) }
            return .op(.err(text: WireScan.trimmed(bytes, argStart, lineEnd)), next: after)
        default:
            return .failure(.unknownOperation)
        }
    }

    @inlinable
    func parsePub(_ b: UnsafeRawBufferPointer, _ argStart: Int, _ lineEnd: Int, _ after: Int, headers: Bool) -> ParseStep {
        var i = argStart
        let a1 = WireScan.nextArg(b, &i, lineEnd)
        let a2 = WireScan.nextArg(b, &i, lineEnd)
        let a3 = WireScan.nextArg(b, &i, lineEnd)
        let a4 = headers ? WireScan.nextArg(b, &i, lineEnd) : i..<i
        guard WireScan.nextArg(b, &i, lineEnd).isEmpty, !a2.isEmpty else {
            return .failure(.badArguments(op: headers ? "HPUB" : "PUB"))
        }
        var reply = i..<i
        var headerLength = -1
        var total: Int
        if headers {
            let sizes: (Range<Int>, Range<Int>)
            if a4.isEmpty {
                guard !a3.isEmpty else { return .failure(.badArguments(op: "HPUB")) }
                sizes = (a2, a3)
            } else {
                reply = a2
                sizes = (a3, a4)
            }
            headerLength = WireScan.size(b, sizes.0)
            total = WireScan.size(b, sizes.1)
            guard headerLength >= 0, total >= headerLength else { return .failure(.badArguments(op: "HPUB")) }
        } else {
            if a3.isEmpty {
                total = WireScan.size(b, a2)
            } else {
                reply = a2
                total = WireScan.size(b, a3)
            }
            guard total >= 0 else { return .failure(.badArguments(op: "PUB")) }
        }
        if total > maxPayload { return .failure(.maxPayloadExceeded(size: total)) }
        return body(b, after, total) { .pub(MessageFrame(subject: a1, sid: after..<after, reply: reply, headerLength: headerLength, body: $0)) }
    }

    @inlinable
    func parseMsg(_ b: UnsafeRawBufferPointer, _ argStart: Int, _ lineEnd: Int, _ after: Int, headers: Bool) -> ParseStep {
        var i = argStart
        let a0 = WireScan.nextArg(b, &i, lineEnd)
        let a1 = WireScan.nextArg(b, &i, lineEnd)
        let a2 = WireScan.nextArg(b, &i, lineEnd)
        let a3 = WireScan.nextArg(b, &i, lineEnd)
        let a4 = WireScan.nextArg(b, &i, lineEnd)
        let name = headers ? "HMSG" : "MSG"
        guard WireScan.nextArg(b, &i, lineEnd).isEmpty else { return .failure(.badArguments(op: name)) }
        // nextArg returns empty only at the end, so the first empty argument gives the count.
        let argc = a0.isEmpty ? 0 : a1.isEmpty ? 1 : a2.isEmpty ? 2 : a3.isEmpty ? 3 : a4.isEmpty ? 4 : 5
        let minArgs = headers ? 4 : 3
        guard argc == minArgs || argc == minArgs + 1 else { return .failure(.badArguments(op: name)) }
        let args = (a0, a1, a2, a3, a4)
        let hasReply = argc == minArgs + 1
        let reply = hasReply ? args.2 : i..<i
        var headerLength = -1
        let total: Int
        if headers {
            headerLength = WireScan.size(b, hasReply ? args.3 : args.2)
            total = WireScan.size(b, hasReply ? args.4 : args.3)
            guard headerLength >= 0, total >= headerLength else { return .failure(.badArguments(op: name)) }
        } else {
            total = WireScan.size(b, hasReply ? args.3 : args.2)
            guard total >= 0 else { return .failure(.badArguments(op: name)) }
        }
        return body(b, after, total) { .msg(MessageFrame(subject: args.0, sid: args.1, reply: reply, headerLength: headerLength, body: $0)) }
    }

    @inlinable
    func parseSub(_ b: UnsafeRawBufferPointer, _ argStart: Int, _ lineEnd: Int, _ after: Int) -> ParseStep {
        var i = argStart
        let a1 = WireScan.nextArg(b, &i, lineEnd)
        let a2 = WireScan.nextArg(b, &i, lineEnd)
        let a3 = WireScan.nextArg(b, &i, lineEnd)
        guard WireScan.nextArg(b, &i, lineEnd).isEmpty, !a2.isEmpty else { return .failure(.badArguments(op: "SUB")) }
        if a3.isEmpty { return .op(.sub(subject: a1, queue: i..<i, sid: a2), next: after) }
        return .op(.sub(subject: a1, queue: a2, sid: a3), next: after)
    }

    @inlinable
    func parseUnsub(_ b: UnsafeRawBufferPointer, _ argStart: Int, _ lineEnd: Int, _ after: Int) -> ParseStep {
        var i = argStart
        let sid = WireScan.nextArg(b, &i, lineEnd)
        let maxArg = WireScan.nextArg(b, &i, lineEnd)
        guard WireScan.nextArg(b, &i, lineEnd).isEmpty, !sid.isEmpty else { return .failure(.badArguments(op: "UNSUB")) }
        if maxArg.isEmpty { return .op(.unsub(sid: sid, max: nil), next: after) }
        let max = WireScan.size(b, maxArg)
        guard max >= 0 else { return .failure(.badArguments(op: "UNSUB")) }
        return .op(.unsub(sid: sid, max: max), next: after)
    }

    /// Completes a message op once its body and trailing CRLF are available.
    @inlinable
    func body(_ b: UnsafeRawBufferPointer, _ start: Int, _ size: Int, _ make: (Range<Int>) -> WireOp) -> ParseStep {
        let end = start + size
        guard end + 2 <= b.count else { return .needMore }
        guard b[end] == 0x0D, b[end + 1] == 0x0A else { return .failure(.unknownOperation) }
        return .op(make(start..<end), next: end + 2)
    }
}
