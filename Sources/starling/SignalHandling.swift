import Dispatch
import Foundation
import Logging
import Starling

/// Process signals, as nats-server handles them: SIGINT/SIGTERM shut down gracefully, SIGHUP
/// reloads the configuration, SIGUSR2 enters lame duck mode.
enum SignalHandling {
    /// Installs the handlers; keep the returned sources alive while the server runs.
    static func install(server: Server, reloadOptions: @escaping @Sendable () throws -> ServerOptions) -> [any DispatchSourceSignal] {
        let log = Logger(label: "starling.signals")
        let actions: [(Int32, @Sendable () -> Void)] = [
            (SIGINT, { server.shutdown() }),
            (SIGTERM, { server.shutdown() }),
            (SIGHUP, {
                do {
                    try server.reload(reloadOptions())
                } catch {
                    log.error("Failed to reload server configuration: \(error)")
                }
            }),
            (SIGUSR2, { Task { await server.enterLameDuckMode() } }),
        ]
        return actions.map { sig, action in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler(handler: action)
            source.resume()
            return source
        }
    }
}
