import ArgumentParser
import Foundation

/// `starling bench`: a load generator in the spirit of `nats bench` that verifies delivery.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark a NATS server (Starling or nats-server) and verify delivery.",
        discussion: """
        Pub/sub: every plain subscriber must receive pubs × msgs messages; a queue group must \
        receive pubs × msgs in total. Loss exits with status 1 unless --timeout cut the run short. \
        --request measures request/reply latency: one requester, sequential requests, the \
        subscribers as responders in one queue group. With --sub-server, subscribers connect to \
        other servers (e.g. cluster nodes) and a warm-up waits until their interest is visible \
        on the publishers' server before measuring.
        """
    )

    @Option(name: [.short, .long], help: "Server URL.")
    var server = "nats://127.0.0.1:4222"

    @Option(name: .customLong("sub-server"),
            help: "Server URL for the subscribers (responders with --request); repeatable or comma-separated, assigned round-robin (default: --server).")
    var subServers: [String] = []

    @Option(name: .customLong("tlsca"), help: "CA certificate for a TLS server (use a tls:// URL).")
    var tlsCAFile: String?

    @Option(help: "Subject to use.")
    var subject = "starling.bench"

    @Option(help: "Publishing connections.")
    var pubs = 1

    @Option(help: "Subscribing connections (responders with --request).")
    var subs = 0

    @Option(help: "Queue group for the subscribers.")
    var queue: String?

    @Option(help: "Messages per publisher (requests with --request).")
    var msgs = 100_000

    @Option(help: "Payload size in bytes.")
    var size = 128

    @Flag(help: "Request/reply latency mode.")
    var request = false

    @Option(help: "Time bound in seconds: stop and report partial results.")
    var timeout: Double?

    @Flag(help: "Print one line of JSON.")
    var json = false

    @Option(help: "Event loop threads (default: the CPUs this process may use).")
    var threads = 0

    func run() async throws {
        var options = BenchOptions()
        options.server = server
        options.subServers = subServers.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        options.tlsCAFile = tlsCAFile
        options.subject = subject
        options.publishers = pubs
        options.subscribers = subs
        options.queue = queue
        options.messages = msgs
        options.size = size
        options.request = request
        options.timeout = timeout.map { .milliseconds(Int64($0 * 1000)) }
        options.json = json
        options.threads = threads
        let report: BenchReport
        do {
            report = try await BenchRunner(options: options).run()
        } catch {
            FileHandle.standardError.write(Data("starling bench: \(error)\n".utf8))
            throw ExitCode(2)
        }
        print(json ? report.jsonLine() : report.text())
        if report.failed { throw ExitCode(1) }
    }
}
