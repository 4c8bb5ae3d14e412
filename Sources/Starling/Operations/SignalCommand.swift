import Foundation
import Glibc

/// The client side of `--signal <command>[=<pid or pid file>]` (`-sl`): sends a running
/// server the signal nats-server's `CommandToSignal` maps each command to.
///
/// Without a pid, the processes whose name is `processName` (other than this one) are found
/// in `/proc`; more than one is an error unless the pid ends in `*`, which signals every
/// process whose pid starts with the digits before it (nats-server's glob).
public enum SignalCommand: String, Sendable, CaseIterable {
    /// `stop`: SIGKILL.
    case stop
    /// `quit`: SIGINT, immediate shutdown.
    case quit
    /// `reopen`: SIGUSR1, reopen the log file.
    case reopen
    /// `reload`: SIGHUP, reload the configuration.
    case reload
    /// `ldm`: SIGUSR2, lame duck mode.
    case ldm
    /// `term`: SIGTERM, shutdown (ignored during lame duck mode).
    case term

    /// The signal number sent for the command.
    public var signal: Int32 {
        switch self {
        case .stop: SIGKILL
        case .quit: SIGINT
        case .reopen: SIGUSR1
        case .reload: SIGHUP
        case .ldm: SIGUSR2
        case .term: SIGTERM
        }
    }

    /// Parses and carries out a `--signal` argument such as `reload`, `quit=1234` or
    /// `reopen=/var/run/starling.pid`, returning the pids signalled. A value after `=` that
    /// names a readable file is replaced by the file's content (trimmed), as nats-server does.
    @discardableResult
    public static func send(_ argument: String, processName: String = "starling") throws -> [pid_t] {
        let parts = argument.split(separator: "=", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2 else {
            throw OperationError("invalid signal parameters: [\(parts.dropFirst(2).joined(separator: " "))]")
        }
        guard let command = SignalCommand(rawValue: parts[0]) else {
            throw OperationError("unknown signal \"\(parts[0])\"; expected one of "
                + allCases.map(\.rawValue).joined(separator: ", "))
        }
        var target = parts.count == 2 ? parts[1] : ""
        if !target.isEmpty, let text = try? String(contentsOfFile: target, encoding: .utf8) {
            target = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return try command.send(to: target, processName: processName)
    }

    /// Sends the command's signal to `pidExpression` (a pid, a pid prefix ending in `*`, or
    /// empty for the single running `processName`); returns the pids signalled.
    @discardableResult
    public func send(to pidExpression: String, processName: String = "starling") throws -> [pid_t] {
        let isGlob = pidExpression.hasSuffix("*")
        let prefix = isGlob ? String(pidExpression.dropLast()) : pidExpression
        if !prefix.isEmpty {
            guard let pid = pid_t(prefix), pid > 0 else { throw OperationError("invalid pid: \(prefix)") }
            if !isGlob { return try deliver([pid]) }
        }
        let running = Self.runningProcesses(named: processName)
        let targets = isGlob ? running.filter { String($0).hasPrefix(prefix) } : running
        if targets.isEmpty { throw OperationError("no \(processName) processes running") }
        if targets.count > 1 && !isGlob {
            throw OperationError(
                "multiple \(processName) processes running:" + targets.map { "\n\($0)" }.joined())
        }
        return try deliver(targets)
    }

    /// Signals each pid; the errors of all failures are reported together.
    private func deliver(_ pids: [pid_t]) throws -> [pid_t] {
        var failures: [String] = []
        for pid in pids where kill(pid, signal) != 0 {
            failures.append(OperationError.system("signal \"\(rawValue)\" \(pid)").description)
        }
        guard failures.isEmpty else { throw OperationError(failures.joined(separator: "\n")) }
        return pids
    }

    /// Pids (ascending, this process excluded) whose `/proc/<pid>/comm` is `name` (the kernel
    /// keeps the first 15 bytes of a process name).
    static func runningProcesses(named name: String) -> [pid_t] {
        let comm = String(decoding: name.utf8.prefix(15), as: UTF8.self)
        let me = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), pid != me,
                  let text = try? String(contentsOfFile: "/proc/\(entry)/comm", encoding: .utf8),
                  text.trimmingCharacters(in: .newlines) == comm else { return nil }
            return pid
        }.sorted()
    }
}
