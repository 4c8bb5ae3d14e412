/// One complete protocol operation found by ``WireParser``.
///
/// Every `Range<Int>` is a byte range into the buffer that was parsed; nothing is copied.
/// An empty range means "absent" for optional arguments (reply, queue). Which cases can occur
/// depends on the parser's ``WireDialect``.
public enum WireOp: Sendable, Equatable {
    /// `PUB <subject> [reply] <#bytes>` or `HPUB <subject> [reply] <#hdr> <#total>`.
    case pub(MessageFrame)
    /// `MSG <subject> <sid> [reply] <#bytes>` or `HMSG <subject> <sid> [reply] <#hdr> <#total>`.
    case msg(MessageFrame)
    /// `SUB <subject> [queue] <sid>`.
    case sub(subject: Range<Int>, queue: Range<Int>, sid: Range<Int>)
    /// `UNSUB <sid> [max]`; `max` is nil when absent.
    case unsub(sid: Range<Int>, max: Int?)
    /// `CONNECT <json>`.
    case connect(json: Range<Int>)
    /// `INFO <json>`.
    case info(json: Range<Int>)
    /// `PING`.
    case ping
    /// `PONG`.
    case pong
    /// `+OK`.
    case ok
    /// `-ERR <text>`; the range covers the text as sent (usually single-quoted).
    case err(text: Range<Int>)
    /// Route dialect: `RS+ [acc] <subject> [<queue> <weight>]` (origin empty) or
    /// `LS+ <origin> [acc] <subject> [<queue> <weight>]`.
    case routeSub(InterestFrame)
    /// Route dialect: `RS- [acc] <subject> [queue]` or `LS- [origin] [acc] <subject> [queue]`.
    case routeUnsub(InterestFrame)
    /// Route dialect: `RMSG`, route-form `HMSG` or `LMSG`.
    case routedMsg(RoutedFrame)
}

/// The parts of a message-carrying operation (PUB, HPUB, MSG, HMSG).
public struct MessageFrame: Sendable, Equatable {
    /// The subject bytes.
    public var subject: Range<Int>
    /// The subscription id (MSG/HMSG only; empty for PUB/HPUB).
    public var sid: Range<Int>
    /// The reply subject, empty when absent.
    public var reply: Range<Int>
    /// Length of the header block at the start of `body`, or -1 when the op carries no headers.
    public var headerLength: Int
    /// Header block followed by payload (without the trailing CRLF).
    public var body: Range<Int>

    /// Creates a frame from its parts.
    @inlinable
    public init(subject: Range<Int>, sid: Range<Int>, reply: Range<Int>, headerLength: Int, body: Range<Int>) {
        self.subject = subject
        self.sid = sid
        self.reply = reply
        self.headerLength = headerLength
        self.body = body
    }

    /// Whether the op was HPUB/HMSG.
    @inlinable public var hasHeaders: Bool { headerLength >= 0 }

    /// The payload after the header block.
    @inlinable public var payload: Range<Int> {
        headerLength > 0 ? (body.lowerBound + headerLength)..<body.upperBound : body
    }
}

/// Why a frame could not be parsed. The link decides what to answer (see nats-server's parser.go).
public enum WireError: Error, Sendable, Equatable {
    /// An op nats-server does not know, or a malformed frame: `-ERR 'Unknown Protocol Operation'`, close.
    case unknownOperation
    /// The control line is longer than the limit: `-ERR 'maximum control line exceeded'`, close.
    case maxControlLineExceeded
    /// A declared size above max_payload: `-ERR 'Maximum Payload Violation'`, close.
    case maxPayloadExceeded(size: Int)
    /// Wrong argument count or a bad size: nats-server logs it and closes without `-ERR`.
    case badArguments(op: String)
}

/// Result of one call to ``WireParser/next(_:at:)``.
public enum ParseStep: Sendable, Equatable {
    /// A complete op; parsing continues at `next`.
    case op(WireOp, next: Int)
    /// The frame starting at the given offset is incomplete: keep the bytes and wait for more.
    case needMore
    /// The input is invalid; the connection should be answered and (usually) closed.
    case failure(WireError)
}
