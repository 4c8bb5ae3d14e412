import Foundation
import NATSClient
import Synchronization

/// The asynchronous errors a tool's connection reported (server `-ERR`s such as permission
/// violations, slow-consumer drops), kept for the exit status and, for the long-running
/// tools, printed as they come.
final class ServerErrors: Sendable {
    private let errors = Mutex<[NATSError]>([])
    private let printLive = Atomic<Bool>(false)

    /// Adds an error; prints it when ``startPrinting()`` was called.
    func record(_ error: NATSError) {
        errors.withLock { $0.append(error) }
        if printLive.load(ordering: .relaxed) { ToolOutput.error("\(error)") }
    }

    /// From now on, print errors as they are recorded.
    func startPrinting() {
        printLive.store(true, ordering: .relaxed)
    }

    /// The first error recorded, if any.
    var first: NATSError? { errors.withLock { $0.first } }

    /// Whether any error was recorded.
    var isEmpty: Bool { errors.withLock { $0.isEmpty } }
}
