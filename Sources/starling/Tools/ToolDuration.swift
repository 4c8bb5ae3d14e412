import ArgumentParser

/// A duration on the command line: a number with `ms`, `s`, `m` or `h` (`2s`, `500ms`, `1.5m`);
/// a bare number is seconds.
struct ToolDuration: ExpressibleByArgument, Sendable, CustomStringConvertible {
    let duration: Duration
    private let text: String

    init(_ duration: Duration) {
        self.duration = duration
        let (seconds, attoseconds) = duration.components
        text = attoseconds == 0 ? "\(seconds)s" : "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000)ms"
    }

    init?(argument: String) {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(argument)
        var scale = 1.0
        if let unit = units.first(where: { argument.hasSuffix($0.0) }) {
            number = number.dropLast(unit.0.count)
            scale = unit.1
        }
        guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
        duration = .milliseconds(Int64((value * scale * 1000).rounded()))
        text = argument
    }

    var description: String { text }
}
