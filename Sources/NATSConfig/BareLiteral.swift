import Foundation

/// Interpretation of bare (unquoted) value tokens: booleans, integers with size
/// suffixes, floats, ISO 8601 Zulu datetimes; anything else is a string.
enum BareLiteral {
    static let booleans: [String: Bool] = [
        "true": true, "yes": true, "on": true,
        "false": false, "no": false, "off": false,
    ]

    /// Size suffixes (lower-cased) and their multipliers.
    static let sizeSuffixes: [String: Int64] = {
        var table: [String: Int64] = [:]
        let letters = ["k", "m", "g", "t", "p", "e"]
        for (i, letter) in letters.enumerated() {
            var decimal: Int64 = 1
            var binary: Int64 = 1
            for _ in 0...i {
                decimal *= 1000
                binary *= 1024
            }
            table[letter] = decimal
            for form in ["b", "i", "ib"] { table[letter + form] = binary }
        }
        return table
    }()

    static func classify(_ token: String, at position: SourcePosition) throws -> ConfigNode.Value {
        if let b = booleans[token.lowercased()] { return .bool(b) }
        let chars = Array(token.unicodeScalars)
        var i = 0
        if let first = chars.first, first == "-" || first == "+" { i = 1 }
        let digitsStart = i
        while i < chars.count, isDigit(chars[i]) { i += 1 }
        let digitCount = i - digitsStart

        if digitCount == 0 {
            if i < chars.count, chars[i] == ".", i + 1 < chars.count,
               chars[(i + 1)...].allSatisfy(isDigit) {
                throw ConfigError("floats must start with a digit, but found '\(token)'", at: position)
            }
            return .string(token)
        }
        if i == chars.count {
            return try integer(token, multiplier: 1, at: position)
        }
        if chars[i] == ".", i + 1 < chars.count, chars[(i + 1)...].allSatisfy(isDigit) {
            guard let d = Double(token), d.isFinite else {
                throw ConfigError("float '\(token)' is out of range", at: position)
            }
            return .float(d)
        }
        if chars[i...].allSatisfy(isASCIILetter) {
            var suffix = ""
            suffix.unicodeScalars.append(contentsOf: chars[i...])
            guard let multiplier = sizeSuffixes[suffix.lowercased()] else { return .string(token) }
            var number = ""
            number.unicodeScalars.append(contentsOf: chars[..<i])
            return try integer(number, multiplier: multiplier, display: token, at: position)
        }
        if digitsStart == 0, digitCount == 4, chars.count == 20, chars[4] == "-" {
            return try datetime(chars, token: token, at: position)
        }
        return .string(token)
    }

    private static func integer(
        _ number: String, multiplier: Int64, display: String? = nil, at position: SourcePosition
    ) throws -> ConfigNode.Value {
        let shown = display ?? number
        guard let n = Int64(number) else {
            throw ConfigError("integer '\(shown)' is out of range", at: position)
        }
        let (product, overflow) = n.multipliedReportingOverflow(by: multiplier)
        if overflow { throw ConfigError("integer '\(shown)' is out of range", at: position) }
        return .integer(product)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ`; returns a string if the shape differs.
    private static func datetime(_ c: [Unicode.Scalar], token: String, at position: SourcePosition) throws -> ConfigNode.Value {
        let digitSlots = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
        let literals: [(Int, Unicode.Scalar)] = [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "Z")]
        guard digitSlots.allSatisfy({ isDigit(c[$0]) }), literals.allSatisfy({ c[$0.0] == $0.1 }) else {
            return .string(token)
        }
        func number(_ from: Int, _ count: Int) -> Int {
            var v = 0
            for k in from..<(from + count) { v = v * 10 + Int(c[k].value - 48) }
            return v
        }
        let year = number(0, 4), month = number(5, 2), day = number(8, 2)
        let hour = number(11, 2), minute = number(14, 2), second = number(17, 2)
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(month, year: year),
              hour < 24, minute < 60, second < 60 else {
            throw ConfigError("invalid datetime '\(token)'", at: position)
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second
        return .date(Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    private static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar.
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = (month + 9) % 12
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool {
        c.value >= 48 && c.value <= 57
    }

    private static func isASCIILetter(_ c: Unicode.Scalar) -> Bool {
        (c.value >= 65 && c.value <= 90) || (c.value >= 97 && c.value <= 122)
    }
}
