import Synchronization

/// Waiting for the subscribers: finish stamps and the end of delivery.
extension BenchRunner {
    /// Marks each subscriber finished (with the time) once it has its share of `target`.
    static func watch(_ tallies: [SubscriberTally], queue: Bool, target: SharedCount) async {
        while !Task.isCancelled {
            let goal = target.value.load(ordering: .relaxed)
            let now = BenchClock.now()
            if queue {
                if tallies.reduce(0, { $0 + $1.received }) >= goal {
                    for t in tallies where t.finishedAt.load(ordering: .relaxed) == 0 { t.finishedAt.store(now, ordering: .relaxed) }
                }
            } else {
                for t in tallies where t.finishedAt.load(ordering: .relaxed) == 0 && t.received >= goal {
                    t.finishedAt.store(now, ordering: .relaxed)
                }
            }
            if tallies.allSatisfy({ $0.finishedAt.load(ordering: .relaxed) != 0 }) { return }
            try? await Task.sleep(for: .microseconds(500))
        }
    }

    /// Waits until `expected` messages arrived in total, the deadline passed, or delivery
    /// stalled; returns when it stopped and whether the deadline was the reason.
    func waitForDelivery(_ tallies: [SubscriberTally], expected: Int, deadline: UInt64?) async -> (at: UInt64, timedOut: Bool) {
        var last = -1
        var lastChange = BenchClock.now()
        while true {
            let now = BenchClock.now()
            let got = tallies.reduce(0) { $0 + $1.received }
            if got >= expected {
                // Give the watcher a moment to stamp the finish times.
                try? await Task.sleep(for: .milliseconds(1))
                return (now, false)
            }
            if let deadline, now >= deadline { return (now, true) }
            if got != last {
                last = got
                lastChange = now
            } else if now - lastChange > options.stallTimeout.nanoseconds {
                return (lastChange, false)
            }
            try? await Task.sleep(for: .microseconds(500))
        }
    }
}
