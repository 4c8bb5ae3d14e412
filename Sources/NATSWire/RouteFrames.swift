/// The arguments of RS+, RS-, LS+ and LS- (route.go processRemoteSub, parseUnsubProto).
///
/// Ranges index the parsed buffer; an empty range means the argument is absent.
public struct InterestFrame: Sendable, Equatable {
    /// The origin cluster of LS+/LS- (LS- carries it only when the peer announced `lnocu`, see
    /// ``WireParser/leafUnsubCarriesOrigin``); empty for RS+/RS-.
    public var origin: Range<Int>
    /// The account; empty on a pinned route.
    public var account: Range<Int>
    /// The subject.
    public var subject: Range<Int>
    /// The queue group; empty when there is none.
    public var queue: Range<Int>
    /// The queue weight sent with RS+/LS+ (the number of members); 1 on RS-/LS- with a queue;
    /// 0 when there is no queue.
    public var weight: Int

    /// Creates a frame from its parts.
    @inlinable
    public init(origin: Range<Int>, account: Range<Int>, subject: Range<Int>, queue: Range<Int>, weight: Int) {
        self.origin = origin
        self.account = account
        self.subject = subject
        self.queue = queue
        self.weight = weight
    }
}

/// The arguments of RMSG, route-form HMSG and LMSG (route.go processRoutedMsgArgs,
/// processRoutedHeaderMsgArgs, processRoutedOriginClusterMsgArgs).
///
/// Ranges index the parsed buffer; an empty range means the argument is absent.
public struct RoutedFrame: Sendable, Equatable {
    /// The origin cluster (LMSG only); empty otherwise.
    public var origin: Range<Int>
    /// The account; empty on a pinned route.
    public var account: Range<Int>
    /// The subject.
    public var subject: Range<Int>
    /// The reply subject; empty when absent.
    public var reply: Range<Int>
    /// From the first queue name to the end of the last one, names separated by spaces or tabs;
    /// empty when there are none. Walk it with ``forEachQueue(in:_:_:)``.
    public var queues: Range<Int>
    /// Length of the header block at the start of `body`; -1 when the op carries no header
    /// (RMSG). LMSG always carries one, possibly 0.
    public var headerLength: Int
    /// Header block followed by payload (without the trailing CRLF).
    public var body: Range<Int>

    /// Creates a frame from its parts.
    @inlinable
    public init(origin: Range<Int>, account: Range<Int>, subject: Range<Int>, reply: Range<Int>,
                queues: Range<Int>, headerLength: Int, body: Range<Int>) {
        self.origin = origin
        self.account = account
        self.subject = subject
        self.reply = reply
        self.queues = queues
        self.headerLength = headerLength
        self.body = body
    }

    /// The payload after the header block.
    @inlinable public var payload: Range<Int> {
        headerLength > 0 ? (body.lowerBound + headerLength)..<body.upperBound : body
    }

    /// Calls `body` with the range of each queue name in `range` (normally ``queues``) of
    /// `bytes`, in order, without allocating. Names are separated by spaces or tabs.
    @inlinable
    public static func forEachQueue(in bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ body: (Range<Int>) -> Void) {
        var i = range.lowerBound
        while true {
            let name = WireScan.nextArg(bytes, &i, range.upperBound)
            if name.isEmpty { return }
            body(name)
        }
    }
}
