import NATSClient
import NATSWire
import NIOCore
import Synchronization

/// Request/reply latency: one requester sends `--msgs` requests one after another to
/// responders sharing a queue group; each reply triggers the next request from the
/// requester's event loop (no async hop), and the round-trip time of each is recorded.
/// Responders connect to `--sub-server` (round-robin) when given; the requester to `--server`.
struct BenchRequester {
    let options: BenchOptions
    let group: any EventLoopGroup
    let threads: Int

    /// The requester's loop-side state. Only touched on the requester's event loop, except
    /// `completed`, which is atomic.
    final class State: @unchecked Sendable {
        var latencies: [UInt64] = []
        var sentAt: UInt64 = 0
        var total: Int
        var deadline: UInt64?
        var timedOut = false
        let completed = Atomic<Int>(0)
        /// When the last reply arrived (monotonic ns), 0 while running.
        let finishedAt = Atomic<UInt64>(0)

        init(total: Int, deadline: UInt64?) {
            self.total = total
            self.deadline = deadline
            latencies.reserveCapacity(total)
        }
    }

    func run() async throws -> BenchReport {
        let o = options
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: o.size)
        var connections: [NATSConnection] = []
        defer { for c in connections { c.channel.close(promise: nil) } }
        let responders = max(1, o.subscribers)
        for i in 0..<responders {
            let c = try await BenchRunner.connect(o, url: o.subscriberServer(i), group: group, name: "bench-responder-\(i + 1)")
            connections.append(c)
            _ = try await c.subscribeFrames(to: o.subject, queue: o.responderQueue) { frame, bytes in
                guard !frame.reply.isEmpty else { return }
                let reply = UnsafeRawBufferPointer(rebasing: bytes[frame.reply])
                try? c.sendEncoding { out in
                    payload.withUnsafeBytes { body in
                        out.writePublish(subjectBytes: reply, replyBytes: UnsafeRawBufferPointer(start: nil, count: 0), payload: body)
                    }
                }
            }
        }
        for c in connections { try await c.flush() }

        let requester = try await BenchRunner.connect(o, group: group, name: "bench-requester")
        connections.append(requester)
        let inbox = "_INBOX.bench." + String(UInt64.random(in: 1...UInt64.max), radix: 36)
        var frame = ByteBuffer()
        payload.withUnsafeBytes { frame.writePublish(subject: o.subject, reply: inbox, headers: nil, payload: $0) }
        let request = frame
        let deadline = o.timeout.map { BenchClock.now() + $0.nanoseconds }
        let state = State(total: o.messages, deadline: deadline)
        _ = try await requester.subscribeFrames(to: inbox) { _, _ in
            let now = BenchClock.now()
            guard state.finishedAt.load(ordering: .relaxed) == 0 else { return }
            state.latencies.append(now &- state.sentAt)
            state.completed.add(1, ordering: .relaxed)
            if state.latencies.count >= state.total {
                state.finishedAt.store(now, ordering: .releasing)
                return
            }
            if let deadline = state.deadline, now >= deadline {
                state.timedOut = true
                state.finishedAt.store(now, ordering: .releasing)
                return
            }
            state.sentAt = BenchClock.now()
            requester.sendEncoded(request)
        }
        try await requester.flush()
        let warmup = try await warmUp(requester: requester, responders: Array(connections.prefix(responders)))

        let cpu0 = BenchClock.cpu()
        let t0 = BenchClock.now()
        requester.eventLoop.execute {
            state.sentAt = BenchClock.now()
            requester.sendEncoded(request)
        }
        var stalled = false
        var lastCount = -1
        var lastChange = t0
        while state.finishedAt.load(ordering: .acquiring) == 0 {
            let now = BenchClock.now()
            if let deadline, now >= deadline + 1_000_000_000 { break }
            let c = state.completed.load(ordering: .relaxed)
            if c != lastCount {
                lastCount = c
                lastChange = now
            } else if now - lastChange > o.stallTimeout.nanoseconds {
                stalled = true
                break
            }
            try? await Task.sleep(for: .milliseconds(1))
        }
        let finished = state.finishedAt.load(ordering: .acquiring)
        let tEnd = finished != 0 ? finished : BenchClock.now()
        let cpu1 = BenchClock.cpu()
        let wasStalled = stalled
        let (latencies, timedOut) = try await requester.eventLoop.submit {
            state.finishedAt.store(max(1, tEnd), ordering: .releasing)
            return (state.latencies, state.timedOut || (!wasStalled && state.latencies.count < state.total))
        }.get()

        let seconds = BenchClock.seconds(t0, tEnd)
        let sorted = latencies.sorted()
        func pct(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            return Double(sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))]) / 1000
        }
        let mean = sorted.isEmpty ? 0 : Double(sorted.reduce(0, +)) / Double(sorted.count) / 1000
        let info = requester.serverInfo
        let cpuUser = cpu1.user - cpu0.user
        let cpuSystem = cpu1.system - cpu0.system
        var report = BenchReport(
            mode: "request", server: o.server, serverVersion: info.version, serverImplementation: BenchRunner.implementation(info),
            subject: o.subject, size: o.size, publishers: 1, subscribers: responders, queue: o.responderQueue,
            messagesPerPublisher: o.messages, threads: threads,
            latency: .init(requests: sorted.count, seconds: seconds,
                           requestsPerSecond: seconds > 0 ? Double(sorted.count) / seconds : 0,
                           p50: pct(0.50), p90: pct(0.90), p99: pct(0.99), max: Double(sorted.last ?? 0) / 1000, mean: mean),
            expected: o.messages, received: sorted.count, lost: stalled ? o.messages - sorted.count : 0,
            corrupt: 0, timedOut: timedOut,
            cpu: .init(userSeconds: cpuUser, systemSeconds: cpuSystem, wallSeconds: seconds,
                       cores: (cpuUser + cpuSystem) / max(1e-9, seconds)))
        report.subServers = o.subServers
        report.warmup = warmup
        return report
    }

    /// With responders on other servers, waits until requests can reach every responder
    /// (their subscriptions are visible on the requester's server) and replies can come back
    /// (the requester's inbox subscription is visible on every responder's server).
    private func warmUp(requester: NATSConnection, responders: [NATSConnection]) async throws -> BenchReport.Warmup? {
        guard options.needsWarmup else { return nil }
        let forward = try await BenchWarmup.run(probers: [requester], listeners: responders, timeout: options.warmupTimeout)
        let back = try await BenchWarmup.run(probers: responders, listeners: [requester], timeout: options.warmupTimeout)
        return .init(seconds: forward.seconds + back.seconds, probes: forward.probes + back.probes)
    }
}
