/// Parsing of duration strings with the semantics of Go's `time.ParseDuration`.
///
/// A duration is an optionally signed sequence of decimal numbers, each with an
/// optional fraction and a required unit: `"300ms"`, `"-1.5h"`, `"2h45m"`.
/// Units are `ns`, `us` (or `µs`/`μs`), `ms`, `s`, `m`, `h`. `"0"` needs no unit.
/// The result must fit in a signed 64-bit number of nanoseconds.
public enum GoDuration {
    /// Why a duration string was rejected.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        /// A message such as `invalid duration "5x": unknown unit "x"`.
        public var message: String
        /// Same as ``message``.
        public var description: String { message }
    }

    /// Parses `text` and returns the duration in nanoseconds.
    /// - Throws: ``SyntaxError`` when `text` is not a valid Go duration.
    public static func nanoseconds(from text: String) throws -> Int64 {
        var chars = Array(text.unicodeScalars)
        func fail(_ detail: String? = nil) -> SyntaxError {
            if let detail {
                return SyntaxError(message: "invalid duration \"\(text)\": \(detail)")
            }
            return SyntaxError(message: "invalid duration \"\(text)\"")
        }
        var negative = false
        if let first = chars.first, first == "-" || first == "+" {
            negative = first == "-"
            chars.removeFirst()
        }
        if chars.count == 1 && chars[0] == "0" { return 0 }
        if chars.isEmpty { throw fail() }

        let limit: UInt64 = 1 << 63
        var total: UInt64 = 0
        var i = 0
        while i < chars.count {
            guard isDigit(chars[i]) || chars[i] == "." else { throw fail() }
            // Integer part.
            var whole: UInt64 = 0
            var sawWhole = false
            while i < chars.count, isDigit(chars[i]) {
                sawWhole = true
                let (m, o1) = whole.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(UInt64(digitValue(chars[i])))
                if o1 || o2 || a > limit { throw fail("out of range") }
                whole = a
                i += 1
            }
            // Fraction part.
            var fraction: UInt64 = 0
            var scale: Double = 1
            var sawFraction = false
            if i < chars.count, chars[i] == "." {
                i += 1
                var overflowed = false
                while i < chars.count, isDigit(chars[i]) {
                    sawFraction = true
                    if !overflowed {
                        let (m, o1) = fraction.multipliedReportingOverflow(by: 10)
                        let (a, o2) = m.addingReportingOverflow(UInt64(digitValue(chars[i])))
                        if o1 || o2 || a > limit {
                            overflowed = true  // ignore extra precision
                        } else {
                            fraction = a
                            scale *= 10
                        }
                    }
                    i += 1
                }
            }
            if !sawWhole && !sawFraction { throw fail() }
            // Unit.
            let unitStart = i
            while i < chars.count, chars[i] != ".", !isDigit(chars[i]) { i += 1 }
            if unitStart == i { throw fail("missing unit") }
            var unitText = ""
            unitText.unicodeScalars.append(contentsOf: chars[unitStart..<i])
            guard let unit = unitNanoseconds[unitText] else {
                throw fail("unknown unit \"\(unitText)\"")
            }
            if whole > limit / unit { throw fail("out of range") }
            var value = whole * unit
            if fraction > 0 {
                let extra = Double(fraction) * (Double(unit) / scale)
                guard extra < Double(limit) else { throw fail("out of range") }
                value += UInt64(extra)
                if value > limit { throw fail("out of range") }
            }
            let (sum, overflow) = total.addingReportingOverflow(value)
            if overflow || sum > limit { throw fail("out of range") }
            total = sum
        }
        if negative {
            return total == limit ? Int64.min : -Int64(total)
        }
        if total > UInt64(Int64.max) { throw fail("out of range") }
        return Int64(total)
    }

    /// Parses `text` into a Swift `Duration`.
    /// - Throws: ``SyntaxError`` when `text` is not a valid Go duration.
    public static func parse(_ text: String) throws -> Duration {
        .nanoseconds(try nanoseconds(from: text))
    }

    private static let unitNanoseconds: [String: UInt64] = [
        "ns": 1,
        "us": 1_000,
        "\u{00B5}s": 1_000,  // micro sign
        "\u{03BC}s": 1_000,  // Greek small letter mu
        "ms": 1_000_000,
        "s": 1_000_000_000,
        "m": 60_000_000_000,
        "h": 3_600_000_000_000,
    ]

    private static func isDigit(_ c: Unicode.Scalar) -> Bool {
        c.value >= 48 && c.value <= 57
    }

    private static func digitValue(_ c: Unicode.Scalar) -> UInt32 {
        c.value - 48
    }
}
