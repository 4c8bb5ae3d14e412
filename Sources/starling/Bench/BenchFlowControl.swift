import Synchronization

/// Flow control shared by the publishers of one run; the same rules for every server.
///
/// 1. A publisher writes pre-encoded PUB frames in chunks of `chunkBytes`, with at most
///    `writesInFlight` socket writes pending (NIO write futures), so client memory is bounded.
/// 2. Every `pingEveryBytes` it sends PING; with more than `pingsInFlight` unanswered it waits
///    for the oldest PONG. A PONG means the server has read and routed everything sent before
///    its PING, so a publisher is never more than a few MiB ahead of the server.
/// 3. With subscribers, publishers pause while the slowest subscriber (for a queue group: the
///    group) lags more than `windowBytes` of MSG frames behind what was published. A server's
///    pending buffer for a subscriber then stays far below `max_pending` (64 MiB on Starling
///    and nats-server), so a generator that outruns the subscriber cannot make a server drop
///    it as a slow consumer; the rate measured is the sustainable end-to-end rate.
final class BenchFlowControl: Sendable {
    /// Messages queued by all publishers together.
    let published = Atomic<Int>(0)
    let tallies: [SubscriberTally]
    let queueMode: Bool
    let windowMessages: Int

    init(tallies: [SubscriberTally], queueMode: Bool, windowBytes: Int, msgFrameBytes: Int) {
        self.tallies = tallies
        self.queueMode = queueMode
        self.windowMessages = max(1024, windowBytes / max(1, msgFrameBytes))
    }

    /// Delivery progress in published-message units.
    func progress() -> Int {
        if queueMode { return tallies.reduce(0) { $0 + $1.received } }
        return tallies.map(\.received).min() ?? .max
    }

    /// Waits while the subscribers lag more than the window. Returns false when the deadline
    /// passed; throws ``BenchError/stalled`` when delivery made no progress for `stall`.
    func waitForRoom(deadline: UInt64?, stall: Duration) async throws -> Bool {
        guard !tallies.isEmpty else { return true }
        var lastProgress = progress()
        var lastChange = BenchClock.now()
        let stallNanos = stall.nanoseconds
        while published.load(ordering: .relaxed) - lastProgress > windowMessages {
            let now = BenchClock.now()
            if let deadline, now >= deadline { return false }
            try await Task.sleep(for: .microseconds(100))
            let p = progress()
            if p != lastProgress {
                lastProgress = p
                lastChange = BenchClock.now()
            } else if BenchClock.now() - lastChange > stallNanos {
                throw BenchError.stalled(waited: stall)
            }
        }
        return true
    }
}

/// Why a bench run could not complete.
enum BenchError: Error, CustomStringConvertible {
    /// Subscribers stopped receiving while messages were outstanding.
    case stalled(waited: Duration)
    /// A bad option combination.
    case invalidOptions(String)
    /// The warm-up saw no probe for some (publisher, subscriber) pairs: interest did not cross
    /// the route(s) in time.
    case interestNotVisible(missing: Int, pairs: Int, waited: Duration)

    var description: String {
        switch self {
        case .stalled(let waited): return "delivery stalled: no message received for \(waited)"
        case .invalidOptions(let text): return text
        case .interestNotVisible(let missing, let pairs, let waited):
            return "warm-up failed: \(missing) of \(pairs) publisher/subscriber pairs saw no probe within \(waited) "
                + "(is the subscribers' server routed to the publishers'?)"
        }
    }
}
