import Foundation
import Logging
import Synchronization

/// Where ``ServerLogHandler`` writes its lines: standard error, or a ``LogFile``.
///
/// swift-log is bootstrapped once per process, so the handler keeps this object and the
/// server switches it when `log_file` appears, changes or goes away on reload (``use(_:)``).
public final class LogOutput: Sendable {
    private let file: Mutex<LogFile?>
    private let currentLevel: Mutex<Logger.Level?>
    /// Serialises lines written to standard error by every handler in the process.
    private static let standardErrorLock = Mutex(())

    /// Creates an output writing to `file`, or to standard error when nil.
    public init(file: LogFile? = nil) {
        self.file = Mutex(file)
        self.currentLevel = Mutex(nil)
    }

    /// The level every handler writing here logs at (set at start and on reload, so `debug`
    /// and `trace` changes apply at once); nil leaves each handler's own level.
    public var level: Logger.Level? {
        get { currentLevel.withLock { $0 } }
        set { currentLevel.withLock { $0 = newValue } }
    }

    /// The log file lines go to, or nil for standard error.
    public var logFile: LogFile? { file.withLock { $0 } }

    /// Sends later lines to `newFile` (nil: standard error) and returns the previous file,
    /// which the caller closes once nothing else writes to it.
    @discardableResult
    public func use(_ newFile: LogFile?) -> LogFile? {
        file.withLock { current in
            let previous = current
            current = newFile
            return previous
        }
    }

    /// Writes one whole line.
    public func write(_ line: String) {
        if let file = logFile {
            file.write(line)
        } else {
            Self.writeStandardError(line)
        }
    }

    /// Writes one whole line to standard error, never interleaved with another.
    static func writeStandardError(_ line: String) {
        standardErrorLock.withLock { _ in
            FileHandle.standardError.write(Data(line.utf8))
        }
    }
}
