import Dispatch
import Foundation
import Starling

/// Process signals, as nats-server handles them: SIGINT/SIGTERM shut down gracefully, SIGHUP
/// reloads the configuration, SIGUSR1 reopens the log file, SIGUSR2 enters lame duck mode.
enum SignalHandling {
    /// Installs the handlers; keep the returned sources alive while the server runs.
    static func install(_ process: ServerProcess) -> [any DispatchSourceSignal] {
        let actions: [(Int32, @Sendable () -> Void)] = [
            (SIGINT, { process.shutdown() }),
            (SIGTERM, { process.shutdown() }),
            (SIGHUP, { process.reload() }),
            (SIGUSR1, { process.reopenLog() }),
            (SIGUSR2, { Task { await process.server.enterLameDuckMode() } }),
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
