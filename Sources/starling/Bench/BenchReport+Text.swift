import Foundation

extension BenchReport {
    /// The human-readable report, in the manner of `nats bench`.
    func text() -> String {
        var lines: [String] = []
        let against = "\(serverImplementation.isEmpty ? "server" : serverImplementation) \(serverVersion) at \(server)"
            + (subServers.isEmpty ? "" : ", \(latency == nil ? "subscribers" : "responders") at \(subServers.joined(separator: ","))")
        if let latency {
            lines.append("Request/reply latency [subject=\(subject), requests=\(Self.grouped(latency.requests)), size=\(size) B, responders=\(subscribers)] against \(against)")
            lines.append(String(format: "  %@ requests/sec, latency µs: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f  mean %.1f",
                                Self.grouped(Int(latency.requestsPerSecond)), latency.p50, latency.p90, latency.p99, latency.max, latency.mean))
        } else {
            let kind = subscribers == 0 ? "pub" : publishers == 0 ? "sub" : "pub/sub"
            lines.append("Starting \(kind) benchmark [subject=\(subject), msgs=\(Self.grouped(messagesPerPublisher)) per publisher, size=\(size) B, pubs=\(publishers), subs=\(subscribers)\(queue.map { ", queue=\($0)" } ?? "")] against \(against)")
            if let aggregate, pub != nil, sub != nil {
                lines.append("NATS Pub/Sub stats: \(Self.rate(aggregate))")
            }
            if let pub { lines.append(contentsOf: section("Pub", pub, perPublisher)) }
            if let sub { lines.append(contentsOf: section("Sub", sub, perSubscriber)) }
            if subscribers > 0 {
                if timedOut {
                    let missing = expected - received
                    lines.append("Time bound hit: partial results; " + (missing > 0
                        ? "\(Self.grouped(missing)) of \(Self.grouped(expected)) messages were not delivered in time (not counted as loss)"
                        : "all \(Self.grouped(expected)) messages sent before it were delivered"))
                } else if lost > 0 {
                    lines.append("LOSS: \(Self.grouped(lost)) of \(Self.grouped(expected)) messages were not delivered")
                } else {
                    let each = queue == nil ? "by each of \(subscribers) subscriber(s)" : "by queue group \(queue!) (\(subscribers) members)"
                    lines.append("Delivery verified: all \(Self.grouped(expected / max(1, queue == nil ? subscribers : 1))) messages received \(each)")
                }
                if corrupt > 0 { lines.append("CORRUPT: \(Self.grouped(corrupt)) messages had the wrong payload size") }
            } else if timedOut {
                lines.append("Time bound hit: partial results")
            }
        }
        if let warmup {
            lines.append(String(format: "Warm-up: interest visible on the publishers' server after %.1f ms (%d probes, not measured)",
                                warmup.seconds * 1000, warmup.probes))
        }
        lines.append(String(format: "Bench client CPU: %.2fs user + %.2fs sys over %.2fs wall (%.0f%% of one core, %d event loop thread(s))",
                            cpu.userSeconds, cpu.systemSeconds, cpu.wallSeconds, cpu.cores * 100, threads))
        return lines.joined(separator: "\n")
    }

    private func section(_ name: String, _ total: Rate, _ each: [Rate]) -> [String] {
        var lines = [" \(name) stats: \(Self.rate(total))"]
        guard each.count > 1 else { return lines }
        for (i, r) in each.enumerated() {
            lines.append("  [\(i + 1)] \(Self.rate(r)) (\(Self.grouped(r.messages)) msgs)")
        }
        let rates = each.map(\.msgsPerSecond)
        let mean = rates.reduce(0, +) / Double(rates.count)
        let sd = (rates.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(rates.count)).squareRoot()
        lines.append("  min \(Self.grouped(Int(rates.min() ?? 0))) | avg \(Self.grouped(Int(mean))) | max \(Self.grouped(Int(rates.max() ?? 0))) | stddev \(Self.grouped(Int(sd))) msgs")
        return lines
    }

    static func rate(_ r: Rate) -> String {
        String(format: "%@ msgs/sec ~ %.2f MiB/sec", grouped(Int(r.msgsPerSecond)), r.mibPerSecond)
    }

    /// 1234567 → "1,234,567".
    static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    /// The report as one line of JSON (snake_case keys).
    func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
