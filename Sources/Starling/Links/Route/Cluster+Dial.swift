import NIOCore
import NIOPosix

/// Dialling routes: configured ones are retried forever, gossiped (implicit) ones
/// `connect_retries` times; the delay starts at one second and doubles up to 5 s (30 s with
/// `connect_backoff`, nats-server's cap). Errors are logged on the first attempt, then every
/// minute's worth of attempts, so a peer that is down does not flood the log.
extension Cluster {
    /// Dials `dial` now (`attempt` 0) or after the delay for `attempt`.
    func dial(_ dial: RouteDial, attempt: Int) {
        let skip = state.withLock { state in
            state.stopped || state.routesToSelf.contains(dial.url.description)
        }
        guard !skip else { return }
        let delay = attempt == 0 ? TimeAmount.zero : retryDelay(attempt: attempt)
        group.next().scheduleTask(in: delay) { [self] in connect(dial, attempt: attempt) }
    }

    private func retryDelay(attempt: Int) -> TimeAmount {
        let cap: Int64 = options.connectBackoff ? 30_000 : 5_000
        let millis = min(Int64(1000) << Int64(min(attempt - 1, 10)), cap)
        return .milliseconds(millis + Int64.random(in: 0...(millis / 10)))
    }

    private func connect(_ dial: RouteDial, attempt: Int) {
        guard !state.withLock({ $0.stopped }) else { return }
        let tls = clientTLS
        let host = dial.url.host
        server.log.debug("Trying to connect to route on \(dial.url)")
        ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(2))
            .channelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 512, initial: 16 * 1024, maximum: 64 * 1024))
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try tls?.addHandlers(to: channel.pipeline.syncOperations, serverHostname: host)
                    try channel.pipeline.syncOperations.addHandler(RouteHandler(cluster: self, dial: dial))
                }
            }
            .connect(host: host, port: dial.url.port)
            .whenFailure { [self] error in
                let next = attempt + 1
                let message = "Error trying to connect to route (attempt \(next)): \(DialFailure.text(error, address: dial.url.description))"
                if attempt == 0 || next % 12 == 0 {
                    server.log.error("\(message)")
                } else {
                    server.log.debug("\(message)")
                }
                if !dial.explicit && next > options.connectRetries {
                    state.withLock { _ = $0.dialing.remove(dial.key) }
                    return
                }
                self.dial(dial, attempt: next)
            }
    }

    /// After a PONG on a pooled link we dialled: dial the next connection of the pool.
    func dialNextPoolConnection(after link: RouteConnection) {
        guard let dial = link.dial else { return }
        self.dial(RouteDial(url: dial.url, explicit: dial.explicit, account: nil), attempt: 0)
    }
}
