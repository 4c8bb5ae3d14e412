import Foundation

/// Formats values the way nats-server's monitoring JSON does.
enum GoFormat {
    /// RFC 3339 with fractional seconds, trailing zeros trimmed, in UTC (Go's RFC3339Nano).
    static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        var nanos = Int(((seconds - Double(whole)) * 1e9).rounded())
        if nanos >= 1_000_000_000 { whole += 1; nanos -= 1_000_000_000 }
        var parts = tm()
        gmtime_r(&whole, &parts)
        var text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1,
                          parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
        if nanos > 0 {
            var fraction = String(format: "%09d", nanos)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }

    /// nats-server's uptime/idle form: `1y2d3h4m5s`, leading zero units omitted.
    static func uptime(_ interval: TimeInterval) -> String {
        let total = max(0, Int(interval))
        let (years, days) = (total / 31_536_000, total / 86_400 % 365)
        let (hours, minutes, seconds) = (total / 3600 % 24, total / 60 % 60, total % 60)
        if years > 0 { return "\(years)y\(days)d\(hours)h\(minutes)m\(seconds)s" }
        if total >= 86_400 { return "\(total / 86_400)d\(hours)h\(minutes)m\(seconds)s" }
        if total >= 3600 { return "\(total / 3600)h\(minutes)m\(seconds)s" }
        if total >= 60 { return "\(total / 60)m\(seconds)s" }
        return "\(seconds)s"
    }

    /// Go's `time.Duration.String()` for short durations such as an RTT: `382µs`, `1.5ms`, `2s`.
    static func duration(_ duration: Duration) -> String {
        let (secs, attos) = duration.components
        let nanos = secs * 1_000_000_000 + attos / 1_000_000_000
        if nanos == 0 { return "0s" }
        func trimmed(_ value: Double) -> String {
            var text = String(format: "%.3f", value)
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
            return text
        }
        if nanos < 1_000 { return "\(nanos)ns" }
        if nanos < 1_000_000 { return trimmed(Double(nanos) / 1e3) + "µs" }
        if nanos < 1_000_000_000 { return trimmed(Double(nanos) / 1e6) + "ms" }
        return trimmed(Double(nanos) / 1e9) + "s"
    }
}
