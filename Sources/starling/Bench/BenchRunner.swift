import NATSClient
import NIOCore
import NIOPosix
import Starling
import Synchronization

/// Runs one `starling bench`: `try await BenchRunner(options: o).run()`.
///
/// Pub/sub mode connects the subscribers and flushes them (PING/PONG) before any publisher
/// starts, publishes with ``BenchPublisher`` under ``BenchFlowControl``, then waits until every
/// subscriber has what it should (each plain subscriber: pubs × msgs; a queue group: pubs ×
/// msgs in total), the time bound passes, or delivery stalls, and reports rates and loss.
/// With `--sub-server`, subscribers connect round-robin to those servers and ``BenchWarmup``
/// waits, before the measured part, until their interest is visible on the publishers' server.
/// Request mode is ``BenchRequester``'s.
struct BenchRunner {
    let options: BenchOptions

    init(options: BenchOptions) {
        self.options = options
    }

    func run() async throws -> BenchReport {
        try validate()
        let threads = options.threads > 0 ? options.threads : CPUAffinity.allowedCPUs()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        do {
            let report = options.request
                ? try await BenchRequester(options: options, group: group, threads: threads).run()
                : try await runPubSub(group: group, threads: threads)
            try? await group.shutdownGracefully()
            return report
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private func validate() throws {
        if options.messages < 0 || options.size < 0 || options.publishers < 0 || options.subscribers < 0 {
            throw BenchError.invalidOptions("counts and sizes must not be negative")
        }
        if !options.request && options.publishers == 0 && options.subscribers == 0 {
            throw BenchError.invalidOptions("nothing to do: no publishers and no subscribers")
        }
        if options.request && options.messages == 0 {
            throw BenchError.invalidOptions("request mode needs --msgs > 0")
        }
    }

    /// Connects to `url` (default: `--server`) on `group`.
    static func connect(_ options: BenchOptions, url: String? = nil, group: any EventLoopGroup, name: String) async throws -> NATSConnection {
        var client = try NATSClientOptions(url: url ?? options.server)
        client.tlsCAFile = options.tlsCAFile
        client.eventLoopGroup = group
        client.name = name
        client.connectTimeout = .seconds(10)
        return try await NATSConnection.connect(client)
    }

    private func runPubSub(group: any EventLoopGroup, threads: Int) async throws -> BenchReport {
        let o = options
        let tallies = (0..<o.subscribers).map { _ in SubscriberTally(size: o.size) }
        var subscribers: [NATSConnection] = []
        var publishers: [NATSConnection] = []
        defer {
            for c in subscribers + publishers { c.channel.close(promise: nil) }
        }
        for (i, tally) in tallies.enumerated() {
            let c = try await Self.connect(o, url: o.subscriberServer(i), group: group, name: "bench-sub-\(i + 1)")
            subscribers.append(c)
            _ = try await c.subscribeFrames(to: o.subject, queue: o.queue) { frame, _ in tally.record(frame) }
        }
        for c in subscribers { try await c.flush() }
        for i in 0..<o.publishers {
            publishers.append(try await Self.connect(o, group: group, name: "bench-pub-\(i + 1)"))
        }
        let info = (publishers.first ?? subscribers.first)?.serverInfo
        // Subscribers on other servers: wait until their interest has crossed the routes.
        let warmup = o.needsWarmup && !publishers.isEmpty
            ? try await BenchWarmup.run(probers: [publishers[0]], listeners: subscribers, timeout: o.warmupTimeout)
            : nil
        let (frames, frameBytes) = BenchPublisher.encodeFrames(subject: o.subject, size: o.size, chunkBytes: o.chunkBytes)
        let msgFrameBytes = o.subject.utf8.count + o.size + 20
        let flow = BenchFlowControl(tallies: tallies, queueMode: o.queue != nil, windowBytes: o.windowBytes, msgFrameBytes: msgFrameBytes)
        let deadline = o.timeout.map { BenchClock.now() + $0.nanoseconds }

        let cpu0 = BenchClock.cpu()
        let t0 = BenchClock.now()
        let target = SharedCount(o.publishers * o.messages)
        let watcher = Task { await Self.watch(tallies, queue: o.queue != nil, target: target) }
        let results = try await withThrowingTaskGroup(of: (Int, BenchPublisher.Result).self) { tasks in
            for (i, c) in publishers.enumerated() {
                let p = BenchPublisher(connection: c, frames: frames, frameBytes: frameBytes, messages: o.messages, options: o, flow: flow)
                tasks.addTask { (i, try await p.run(deadline: deadline)) }
            }
            var all = [BenchPublisher.Result](repeating: .init(), count: publishers.count)
            for try await (i, r) in tasks { all[i] = r }
            return all
        }
        let sent = results.reduce(0) { $0 + $1.sent }
        var timedOut = results.contains { $0.timedOut }
        // Without publishers of our own, the subscribers wait for --msgs from elsewhere.
        let delivered = o.publishers == 0 ? o.messages : sent
        target.value.store(delivered, ordering: .relaxed)
        let expected = o.queue == nil ? delivered * tallies.count : (tallies.isEmpty ? 0 : delivered)
        let waitEnd = await waitForDelivery(tallies, expected: expected, deadline: deadline)
        if waitEnd.timedOut { timedOut = true }
        watcher.cancel()
        _ = await watcher.value
        let tEnd = BenchClock.now()
        let cpu1 = BenchClock.cpu()

        let received = tallies.reduce(0) { $0 + $1.received }
        var report = BenchReport(
            mode: "pubsub", server: o.server, serverVersion: info?.version ?? "", serverImplementation: Self.implementation(info),
            subject: o.subject, size: o.size, publishers: o.publishers, subscribers: o.subscribers, queue: o.queue,
            messagesPerPublisher: o.messages, threads: threads,
            expected: expected, received: received, lost: max(0, expected - received),
            corrupt: tallies.reduce(0) { $0 + $1.wrongSize.load(ordering: .relaxed) }, timedOut: timedOut,
            cpu: .init(userSeconds: cpu1.user - cpu0.user, systemSeconds: cpu1.system - cpu0.system,
                       wallSeconds: BenchClock.seconds(t0, tEnd),
                       cores: (cpu1.user - cpu0.user + cpu1.system - cpu0.system) / max(1e-9, BenchClock.seconds(t0, tEnd))))
        report.subServers = o.subServers
        report.warmup = warmup.map { .init(seconds: $0.seconds, probes: $0.probes) }
        if !results.isEmpty {
            report.perPublisher = results.map { .init(messages: $0.sent, seconds: BenchClock.seconds($0.start, $0.end), size: o.size) }
            let start = results.map(\.start).min()!
            let end = results.map(\.end).max()!
            report.pub = .init(messages: sent, seconds: BenchClock.seconds(start, end), size: o.size)
        }
        var lastDelivery = t0
        if !tallies.isEmpty {
            let ends = tallies.map { t -> UInt64 in
                let f = t.finishedAt.load(ordering: .relaxed)
                return f != 0 ? f : waitEnd.at
            }
            report.perSubscriber = zip(tallies, ends).map { .init(messages: $0.received, seconds: BenchClock.seconds(t0, $1), size: o.size) }
            lastDelivery = ends.max()!
            report.sub = .init(messages: received, seconds: BenchClock.seconds(t0, lastDelivery), size: o.size)
        }
        let pubEnd = results.map(\.end).max() ?? t0
        report.aggregate = .init(messages: sent + received, seconds: BenchClock.seconds(t0, max(pubEnd, lastDelivery)), size: o.size)
        return report
    }

    /// "nats-server" or "starling", from the INFO `go` field.
    static func implementation(_ info: NATSServerInfo?) -> String {
        guard let info else { return "" }
        return info.go.hasPrefix("starling") ? "starling" : "nats-server (\(info.go))"
    }
}

/// An atomic integer that tasks can share.
final class SharedCount: Sendable {
    let value: Atomic<Int>
    init(_ initial: Int) { value = Atomic(initial) }
}

extension Duration {
    /// Whole nanoseconds.
    var nanoseconds: UInt64 {
        let c = components
        return UInt64(max(0, c.seconds)) * 1_000_000_000 + UInt64(max(0, c.attoseconds) / 1_000_000_000)
    }
}
