/// Character-level reading of a configuration source: positions, trivia
/// (spaces, new lines, comments), keys and the lexical forms of values.
/// Structure (maps, arrays, entries) is handled by `Parser`.
struct Lexer {
    let scalars: [Unicode.Scalar]
    let file: String
    private(set) var index = 0
    private(set) var line = 1
    private(set) var column = 1

    init(text: String, file: String) {
        self.scalars = Array(text.unicodeScalars)
        self.file = file
        if scalars.first == "\u{FEFF}" { index = 1 }  // byte order mark
    }

    // MARK: Cursor

    var position: SourcePosition {
        SourcePosition(file: file, line: line, column: column)
    }

    var isAtEnd: Bool { index >= scalars.count }

    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let i = index + offset
        guard i >= 0, i < scalars.count else { return nil }
        return scalars[i]
    }

    mutating func advance() {
        guard index < scalars.count else { return }
        if scalars[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    func error(_ message: String, at position: SourcePosition? = nil) -> ConfigError {
        ConfigError(message, at: position ?? self.position)
    }

    // MARK: Character classes

    static func isInlineSpace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\u{0B}" || c == "\u{0C}"
    }

    static func isNewline(_ c: Unicode.Scalar) -> Bool {
        c == "\n" || c == "\r"
    }

    /// Characters that end a bare (unquoted) value.
    static func endsBareValue(_ c: Unicode.Scalar) -> Bool {
        isInlineSpace(c) || isNewline(c) || c == "," || c == ";" || c == "]" || c == "}"
    }

    /// Characters that end a bare key.
    static func endsBareKey(_ c: Unicode.Scalar) -> Bool {
        isInlineSpace(c) || isNewline(c) || c == "=" || c == ":" || c == "{" || c == "}"
            || c == "[" || c == "]" || c == "," || c == ";" || c == "\"" || c == "'"
    }

    /// Describes a character for an error message.
    static func describe(_ c: Unicode.Scalar?) -> String {
        guard let c else { return "end of file" }
        if isNewline(c) { return "new line" }
        if c == "\t" { return "tab" }
        if c.value < 0x20 || c.value == 0x7F || c.properties.isWhitespace
            || c.properties.generalCategory == .format || c.properties.generalCategory == .unassigned
            || c.properties.generalCategory == .surrogate || c == "\u{FFFD}" {
            return "character U+" + String(c.value, radix: 16, uppercase: true)
        }
        return "'\(c)'"
    }

    // MARK: Trivia

    var atCommentStart: Bool {
        peek() == "#" || (peek() == "/" && peek(1) == "/")
    }

    mutating func skipInlineSpace() {
        while let c = peek(), Lexer.isInlineSpace(c) { advance() }
    }

    /// Consumes a comment up to (not including) the end of its line.
    mutating func skipComment() {
        while let c = peek(), !Lexer.isNewline(c) { advance() }
    }

    /// Skips spaces, new lines and comments.
    mutating func skipTrivia() {
        while let c = peek() {
            if Lexer.isInlineSpace(c) || Lexer.isNewline(c) {
                advance()
            } else if atCommentStart {
                skipComment()
            } else {
                return
            }
        }
    }

    // MARK: Keys

    /// Reads a bare, double-quoted or single-quoted key.
    mutating func lexKey() throws -> (text: String, quoted: Bool) {
        let start = position
        guard let first = peek() else { throw error("expected a key but found end of file") }
        if first == "\"" || first == "'" {
            advance()
            var text = ""
            while let c = peek(), c != first {
                if Lexer.isNewline(c) { break }
                text.unicodeScalars.append(c)
                advance()
            }
            guard peek() == first else { throw error("unterminated quoted key", at: start) }
            advance()
            return (text, true)
        }
        var text = ""
        while let c = peek(), !Lexer.endsBareKey(c) {
            text.unicodeScalars.append(c)
            advance()
        }
        if text.isEmpty {
            throw error("expected a key but found \(Lexer.describe(first))", at: start)
        }
        return (text, false)
    }

    // MARK: Values

    /// Reads a bare value up to the next terminator (may return an empty string).
    mutating func lexBareToken() -> String {
        var text = ""
        while let c = peek(), !Lexer.endsBareValue(c) {
            text.unicodeScalars.append(c)
            advance()
        }
        return text
    }

    /// Reads a `'...'` string (no escapes). The cursor is on the opening quote.
    mutating func lexSingleQuoted() throws -> String {
        try lexRawQuoted(quote: "'", what: "single-quoted string")
    }

    /// Reads `"..."` or `'...'` without interpreting escapes (used for include paths).
    mutating func lexRawQuoted(quote: Unicode.Scalar, what: String) throws -> String {
        let start = position
        advance()
        var text = ""
        while let c = peek(), c != quote {
            text.unicodeScalars.append(c)
            advance()
        }
        guard peek() == quote else { throw error("unterminated \(what)", at: start) }
        advance()
        return text
    }

    /// Reads a `"..."` string with escapes `\t \n \r \" \\ \xHH`. The cursor is on
    /// the opening quote.
    mutating func lexDoubleQuoted() throws -> String {
        let start = position
        advance()
        var bytes: [UInt8] = []
        while let c = peek() {
            if c == "\"" {
                advance()
                return String(decoding: bytes, as: UTF8.self)
            }
            if c == "\\" {
                let escapePosition = position
                advance()
                guard let e = peek() else { break }
                switch e {
                case "t": bytes.append(0x09)
                case "n": bytes.append(0x0A)
                case "r": bytes.append(0x0D)
                case "\"": bytes.append(0x22)
                case "\\": bytes.append(0x5C)
                case "x":
                    advance()
                    guard let hi = peek().flatMap(Lexer.hexValue), let lo = peek(1).flatMap(Lexer.hexValue) else {
                        throw error("expected two hexadecimal digits after '\\x'", at: escapePosition)
                    }
                    advance()
                    bytes.append(hi << 4 | lo)
                default:
                    throw error(
                        "invalid escape \(Lexer.describe(e)); only \\t \\n \\r \\\" \\\\ and \\xHH are allowed",
                        at: escapePosition)
                }
                advance()
                continue
            }
            bytes.append(contentsOf: Array(String(Character(c)).utf8))
            advance()
        }
        throw error("unterminated double-quoted string", at: start)
    }

    private static func hexValue(_ c: Unicode.Scalar) -> UInt8? {
        switch c.value {
        case 48...57: return UInt8(c.value - 48)
        case 65...70: return UInt8(c.value - 55)
        case 97...102: return UInt8(c.value - 87)
        default: return nil
        }
    }

    /// Reads a block string. The cursor is on `(`; the block ends at a line that
    /// holds only `)` (trailing spaces allowed). As in nats-server, the content is
    /// the raw text between `(` and that `)`, including the line breaks after `(`
    /// and before `)`.
    mutating func lexBlock() throws -> String {
        let start = position
        advance()
        let contentStart = index
        while let c = peek() {
            advance()
            guard c == "\n", peek() == ")" else { continue }
            var k = index + 1
            while k < scalars.count, Lexer.isInlineSpace(scalars[k]) || scalars[k] == "\r" { k += 1 }
            guard k == scalars.count || scalars[k] == "\n" else { continue }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars[contentStart..<index])
            advance()  // ")"
            return text
        }
        throw error("unterminated block string; a block must end with ')' alone on a line", at: start)
    }
}
