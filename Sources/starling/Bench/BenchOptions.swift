/// What `starling bench` runs. Defaults follow `nats bench` where it has one.
struct BenchOptions: Sendable {
    /// Server URL.
    var server = "nats://127.0.0.1:4222"
    /// Servers the subscribers (request mode: responders) connect to, assigned round-robin;
    /// empty: all use `server`.
    var subServers: [String] = []
    /// CA file for a `tls://` server (TLS benchmarks).
    var tlsCAFile: String?
    /// Subject to publish on.
    var subject = "starling.bench"
    /// Publishing connections (request mode: ignored, there is one requester).
    var publishers = 1
    /// Subscribing connections (request mode: responders, at least one).
    var subscribers = 0
    /// Queue group the subscribers join (request mode: responders always share one group).
    var queue: String?
    /// Messages per publisher (request mode: requests).
    var messages = 100_000
    /// Payload size in bytes.
    var size = 128
    /// Request/reply latency mode.
    var request = false
    /// Overall time bound: stop and report partial results when it passes.
    var timeout: Duration?
    /// Print one line of JSON instead of text.
    var json = false
    /// Event loop threads; 0 uses the CPUs this process may run on.
    var threads = 0

    // Flow control, the same for every server (see BenchFlowControl.swift).

    /// A publisher sends PING after this many bytes of PUB frames.
    var pingEveryBytes = 1 << 20
    /// PINGs a publisher may have unanswered before it waits for the oldest PONG.
    var pingsInFlight = 2
    /// Bytes of MSG frames a subscriber may lag behind the publishers before they pause.
    var windowBytes = 8 << 20
    /// Bytes of PUB frames per socket write.
    var chunkBytes = 128 << 10
    /// Socket writes a publisher may have pending before it waits for the oldest.
    var writesInFlight = 4
    /// No delivery progress for this long, with messages outstanding, counts them as lost.
    var stallTimeout: Duration = .seconds(10)
    /// Bound on the warm-up that waits for interest to cross routes (see BenchWarmup.swift).
    var warmupTimeout: Duration = .seconds(10)

    /// The server subscriber (or responder) `index` connects to.
    func subscriberServer(_ index: Int) -> String {
        subServers.isEmpty ? server : subServers[index % subServers.count]
    }

    /// Whether some subscriber is on another server than the publishers, so that interest
    /// must cross a route before the measured run may start.
    var needsWarmup: Bool { subServers.contains { $0 != server } }

    /// The queue group responders join in request mode.
    var responderQueue: String { queue ?? "starling.bench.responders" }
}
