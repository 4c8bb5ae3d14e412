import Prometheus
import Synchronization

/// /metrics in the Prometheus text format, via swift-prometheus. Values are read from the
/// server at scrape time; counters are set to the server's running totals.
final class PrometheusMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let scrape = Mutex(())

    /// Updates every metric from `monitor`'s server and renders the exposition text.
    func render(monitor: Monitor, traffic: [AccountTraffic]) -> String {
        scrape.withLock { _ in
            let server = monitor.server
            let stats = server.stats
            gauge("starling_connections", "Client connections open now", server.connectionCount)
            counter("starling_connections_total", "Client connections accepted since start", stats.totalConnections.load(ordering: .relaxed))
            counter("starling_in_msgs_total", "Messages received from clients", stats.inMsgs.load(ordering: .relaxed))
            counter("starling_in_bytes_total", "Payload bytes received from clients", stats.inBytes.load(ordering: .relaxed))
            counter("starling_out_msgs_total", "Messages delivered to clients", server.outMsgs)
            counter("starling_out_bytes_total", "Payload bytes delivered to clients", server.outBytes)
            counter("starling_slow_consumers_total", "Connections closed as slow consumers", stats.slowConsumers.load(ordering: .relaxed))
            counter("starling_stale_connections_total", "Connections closed as stale", stats.staleConnections.load(ordering: .relaxed))
            gauge("starling_subscriptions", "Subscriptions in all accounts", server.accounts.reduce(0) { $0 + $1.sublist.count })
            let usage = ProcessUsage.current()
            gauge("starling_resident_memory_bytes", "Resident memory of the server process", usage.residentBytes)
            for t in traffic {
                let labels = [("account", t.account.name)]
                let s = t.account.stats
                gauge("starling_account_connections", "Client connections open now, per account", t.connections, labels)
                counter("starling_account_in_msgs_total", "Messages received, per account", s.inMsgs.load(ordering: .relaxed), labels)
                counter("starling_account_in_bytes_total", "Payload bytes received, per account", s.inBytes.load(ordering: .relaxed), labels)
                counter("starling_account_out_msgs_total", "Messages delivered, per account",
                        t.outMsgs + s.closedOutMsgs.load(ordering: .relaxed), labels)
                counter("starling_account_out_bytes_total", "Payload bytes delivered, per account",
                        t.outBytes + s.closedOutBytes.load(ordering: .relaxed), labels)
                counter("starling_account_slow_consumers_total", "Slow consumers, per account",
                        s.slowConsumers.load(ordering: .relaxed), labels)
            }
            return registry.emitToString()
        }
    }

    private func gauge(_ name: String, _ help: String, _ value: Int, _ labels: [(String, String)] = []) {
        registry.makeGauge(descriptor: Self.descriptor(name, help), labels: labels).set(Double(value))
    }

    private func counter(_ name: String, _ help: String, _ value: Int, _ labels: [(String, String)] = []) {
        let counter = registry.makeCounter(descriptor: Self.descriptor(name, help), labels: labels)
        counter.reset()
        counter.increment(by: Int64(value))
    }

    /// `starling_<rest>`: the library joins namespace and name with an underscore.
    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "starling", metricName: String(name.dropFirst("starling_".count)),
                             unitName: "", helpText: help)
    }
}
