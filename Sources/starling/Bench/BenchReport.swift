/// The outcome of one bench run; printed as text or as one line of JSON.
struct BenchReport: Encodable, Sendable {
    /// Throughput of one client or a set of clients.
    struct Rate: Encodable, Sendable {
        var messages: Int
        var seconds: Double
        var msgsPerSecond: Double
        var mibPerSecond: Double

        init(messages: Int, seconds: Double, size: Int) {
            self.messages = messages
            self.seconds = seconds
            msgsPerSecond = seconds > 0 ? Double(messages) / seconds : 0
            mibPerSecond = msgsPerSecond * Double(size) / 1_048_576
        }
    }

    /// Request/reply latency in microseconds.
    struct Latency: Encodable, Sendable {
        var requests: Int
        var seconds: Double
        var requestsPerSecond: Double
        var p50: Double
        var p90: Double
        var p99: Double
        var max: Double
        var mean: Double
    }

    /// CPU time this bench process used during the measured part.
    struct CPU: Encodable, Sendable {
        var userSeconds: Double
        var systemSeconds: Double
        var wallSeconds: Double
        /// CPU seconds per wall second (1.0 = one core busy).
        var cores: Double
    }

    /// How long the warm-up took (runs with subscribers on other servers only).
    struct Warmup: Encodable, Sendable {
        var seconds: Double
        var probes: Int
    }

    var mode: String
    var server: String
    var serverVersion: String
    var serverImplementation: String
    var subject: String
    var size: Int
    var publishers: Int
    var subscribers: Int
    var queue: String?
    var messagesPerPublisher: Int
    var threads: Int
    /// Sum of all publishers (nil without publishers).
    var pub: Rate?
    /// Sum of all subscribers (nil without subscribers).
    var sub: Rate?
    /// Published plus received messages over the whole run (as `nats bench` reports it).
    var aggregate: Rate?
    var perPublisher: [Rate] = []
    var perSubscriber: [Rate] = []
    var latency: Latency?
    /// Messages the subscribers should have received in total.
    var expected: Int
    var received: Int
    /// Messages that did not arrive (not counted when the time bound was hit).
    var lost: Int
    /// Messages that arrived with the wrong payload size.
    var corrupt: Int
    /// The --timeout bound was hit: results are partial.
    var timedOut: Bool
    var cpu: CPU
    /// Servers the subscribers (responders) connected to, round-robin; empty: `server`.
    var subServers: [String] = []
    /// The warm-up that waited for interest to cross routes, when there was one.
    var warmup: Warmup?

    /// Loss or corruption that should fail the run.
    var failed: Bool { corrupt > 0 || (lost > 0 && !timedOut) }
}
