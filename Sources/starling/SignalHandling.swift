import Foundation
import Starling

/// Process signals, as nats-server handles them: SIGINT/SIGTERM shut down gracefully, SIGHUP
/// reloads the configuration, SIGUSR1 reopens the log file, SIGUSR2 enters lame duck mode.
enum SignalHandling {
    /// Registers the actions and starts taking signals (those sent during start-up included).
    static func install(_ process: ServerProcess) {
        ProcessSignals.on(SIGINT) { process.shutdown() }
        ProcessSignals.on(SIGTERM) { process.shutdown() }
        ProcessSignals.on(SIGHUP) { process.reload() }
        ProcessSignals.on(SIGUSR1) { process.reopenLog() }
        ProcessSignals.on(SIGUSR2) { Task { await process.server.enterLameDuckMode() } }
        ProcessSignals.listen()
    }
}
