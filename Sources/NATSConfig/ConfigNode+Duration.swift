import Foundation

extension ConfigNode {
    /// Interprets this node as a duration, the way nats-server does:
    /// - a string is parsed with Go `time.ParseDuration` semantics (`"2s"`, `"1h30m"`);
    /// - an integer is a number of seconds;
    /// - a float is a (fractional) number of seconds.
    ///
    /// Note that a *bare* `1m` is the integer 1,000,000 (size suffix), hence
    /// 1,000,000 seconds, exactly as in nats-server; write `"1m"` for one minute.
    /// - Throws: ``ConfigError`` at this node's position for any other kind of
    ///   value or an invalid duration string.
    public func duration() throws -> Duration {
        .nanoseconds(try durationNanoseconds())
    }

    /// Same as ``duration()`` as a `TimeInterval` in seconds.
    public func timeInterval() throws -> TimeInterval {
        Double(try durationNanoseconds()) / 1_000_000_000
    }

    /// Same as ``duration()`` as a signed number of nanoseconds.
    public func durationNanoseconds() throws -> Int64 {
        switch value {
        case .string(let text):
            do {
                return try GoDuration.nanoseconds(from: text)
            } catch let e as GoDuration.SyntaxError {
                throw ConfigError(e.message, at: position)
            }
        case .integer(let seconds):
            let (n, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
            if overflow { throw ConfigError("duration of \(seconds) seconds is out of range", at: position) }
            return n
        case .float(let seconds):
            let nanos = (seconds * 1_000_000_000).rounded()
            guard nanos.isFinite, nanos > -9.2e18, nanos < 9.2e18 else {
                throw ConfigError("duration of \(seconds) seconds is out of range", at: position)
            }
            return Int64(nanos)
        default:
            throw ConfigError(
                "expected a duration (such as \"2s\" or \"1m30s\") but found \(kindDescriptionWithArticle)",
                at: position)
        }
    }
}
