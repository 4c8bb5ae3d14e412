import Foundation
import Logging

/// A swift-log handler writing nats-server's line format:
/// `[pid] 2006/01/02 15:04:05.000000 [INF] message`, to standard error or a ``LogOutput``.
public struct ServerLogHandler: LogHandler {
    private var ownLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let withTime: Bool
    private let output: LogOutput?
    private static let pid = getpid()

    /// Creates a handler at the given level writing to `output` (standard error when nil);
    /// share one output between the handlers so that a reload or SIGUSR1 redirects them all.
    public init(level: Logger.Level, withTime: Bool = true, output: LogOutput? = nil) {
        self.ownLevel = level
        self.withTime = withTime
        self.output = output
    }

    /// The shared output's level when it has one (reloadable), else this handler's own.
    public var logLevel: Logger.Level {
        get { output?.level ?? ownLevel }
        set { ownLevel = newValue }
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
        let text = Self.line(tag: tag, message: "\(event.message)", withTime: withTime)
        if let output {
            output.write(text)
        } else {
            LogOutput.writeStandardError(text)
        }
    }

    /// One formatted line, newline included: `[pid] time [TAG] message`.
    static func line(tag: String, message: String, withTime: Bool) -> String {
        "[\(pid)] \(withTime ? timestamp() + " " : "")[\(tag)] \(message)\n"
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
