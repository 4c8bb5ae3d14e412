import Foundation
import Logging
import Synchronization

/// A swift-log handler writing nats-server's line format:
/// `[pid] 2006/01/02 15:04:05.000000 [INF] message`.
public struct ServerLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let withTime: Bool
    private static let pid = getpid()
    private static let lock = Mutex(())

    /// Creates a handler at the given level.
    public init(level: Logger.Level, withTime: Bool = true) {
        self.logLevel = level
        self.withTime = withTime
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let tag: String
        switch event.level {
        case .trace: tag = "TRC"
        case .debug: tag = "DBG"
        case .info, .notice: tag = "INF"
        case .warning: tag = "WRN"
        case .error: tag = "ERR"
        case .critical: tag = "FTL"
        }
        let text = "[\(Self.pid)] \(withTime ? Self.timestamp() + " " : "")[\(tag)] \(event.message)\n"
        Self.lock.withLock { _ in
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    private static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var tmValue = tm()
        var seconds = ts.tv_sec
        localtime_r(&seconds, &tmValue)
        return String(format: "%04d/%02d/%02d %02d:%02d:%02d.%06d",
                      tmValue.tm_year + 1900, tmValue.tm_mon + 1, tmValue.tm_mday,
                      tmValue.tm_hour, tmValue.tm_min, tmValue.tm_sec, ts.tv_nsec / 1000)
    }
}
