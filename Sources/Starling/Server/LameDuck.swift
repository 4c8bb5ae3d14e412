import Foundation

extension Server {
    /// Lame duck mode (SIGUSR2): stop accepting clients, tell protocol-1 clients with
    /// `INFO {"ldm":true}`, wait the grace period, then close the clients spread over the rest of
    /// `lame_duck_duration`, and shut down (nats-server server.go: lameDuckMode).
    public func enterLameDuckMode() async {
        let options = self.options
        log.info("Entering lame duck mode, stop accepting new clients")
        stopAcceptingClients()
        cluster?.announceLameDuck()
        for connection in liveConnections {
            connection.eventLoop.execute { connection.handler.value?.announceLameDuck() }
        }
        let grace = min(options.lameDuckGracePeriod, options.lameDuckDuration)
        try? await Task.sleep(for: grace)
        let clients = liveConnections
        let spread = options.lameDuckDuration - grace
        let batches = max(1, min(clients.count, 100))
        let perBatch = (clients.count + batches - 1) / max(batches, 1)
        let pause = min(spread / batches, .seconds(1))  // nats-server waits at most 1s between closes
        for (index, connection) in clients.enumerated() {
            connection.eventLoop.execute { connection.handler.value?.closeForShutdown() }
            if perBatch > 0 && (index + 1) % perBatch == 0 && index + 1 < clients.count {
                try? await Task.sleep(for: pause)
            }
        }
        shutdown()
    }
}
