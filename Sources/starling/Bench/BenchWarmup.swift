import NATSClient
import Synchronization

/// Waits until subscription interest registered on one server is visible on the servers that
/// will publish to it, so that no measured message can be dropped for lack of interest while
/// a route is still propagating subscriptions.
///
/// Each listener connection, *after* its bench subscription, subscribes to its own warm-up
/// subject `<base>.<j>`; each prober connection publishes a small probe (its index as the
/// payload) to every listener subject it has not yet been seen on, every `interval`, until
/// every (prober, listener) pair has delivered one or `timeout` passes.
///
/// Why a probe proves the bench interest: a server processes one client's SUBs in order and
/// forwards them in order over one route connection (nats-server pins an account to one
/// connection of its route pool), so when the warm-up interest has reached the prober's
/// server, the bench interest sent before it has too. Probes use their own subjects, so the
/// bench tallies stay exact.
enum BenchWarmup {
    /// How the warm-up went.
    struct Outcome: Sendable {
        var seconds: Double
        var probes: Int
    }

    /// Runs the warm-up; throws ``BenchError/interestNotVisible(missing:pairs:waited:)`` when
    /// some pair saw no probe within `timeout`. Unsubscribes the warm-up subjects when done.
    static func run(probers: [NATSConnection], listeners: [NATSConnection],
                    timeout: Duration, interval: Duration = .milliseconds(5)) async throws -> Outcome {
        let pairs = probers.count * listeners.count
        guard pairs > 0 else { return Outcome(seconds: 0, probes: 0) }
        let base = "_BENCH.warmup." + String(UInt64.random(in: 1...UInt64.max), radix: 36)
        let seen = SeenPairs()
        let proberCount = probers.count
        let listenerCount = listeners.count
        var subscriptions: [NATSSubscription] = []
        for (j, listener) in listeners.enumerated() {
            let sub = try await listener.subscribe(to: "\(base).\(j)") { msg in
                guard let i = Int(msg.string), i >= 0, i < proberCount else { return }
                seen.insert(i * listenerCount + j)
            }
            subscriptions.append(sub)
        }
        for listener in listeners { try await listener.flush() }

        let start = BenchClock.now()
        let deadline = start + timeout.nanoseconds
        let payloads = probers.indices.map { Array(String($0).utf8) }
        var probes = 0
        while true {
            let done = seen.snapshot()
            if done.count >= pairs { break }
            if BenchClock.now() >= deadline {
                throw BenchError.interestNotVisible(missing: pairs - done.count, pairs: pairs, waited: timeout)
            }
            for (i, prober) in probers.enumerated() {
                for j in listeners.indices where !done.contains(i * listeners.count + j) {
                    try prober.publish(subject: "\(base).\(j)", payload: payloads[i])
                    probes += 1
                }
            }
            try await Task.sleep(for: interval)
        }
        for sub in subscriptions { try? sub.unsubscribe() }
        return Outcome(seconds: BenchClock.seconds(start, BenchClock.now()), probes: probes)
    }
}

/// The (prober, listener) pairs that delivered a probe, shared with the listeners' callbacks.
private final class SeenPairs: Sendable {
    private let pairs = Mutex<Set<Int>>([])

    func insert(_ pair: Int) { _ = pairs.withLock { $0.insert(pair) } }

    func snapshot() -> Set<Int> { pairs.withLock { $0 } }
}
