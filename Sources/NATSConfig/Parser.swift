/// Recursive-descent parser building a `ConfigNode` tree from a `Lexer`.
struct Parser {
    var lexer: Lexer
    let context: ParseContext
    /// Open maps, outermost first (the variable scope chain).
    var scopes: [MapScope] = []
    var depth: Int

    init(text: String, file: String, context: ParseContext) {
        self.lexer = Lexer(text: text, file: file)
        self.context = context
        self.depth = context.initialDepth
    }

    /// Parses a whole document: an implicit top-level map, optionally wrapped in `{ }`.
    mutating func parseDocument() throws -> ConfigNode {
        let start = SourcePosition(file: lexer.file, line: 1, column: 1)
        let scope = MapScope()
        scopes.append(scope)
        defer { scopes.removeLast() }
        lexer.skipTrivia()
        if lexer.peek() == "{" {
            let open = lexer.position
            lexer.advance()
            try parseMapBody(into: scope, openedAt: open)
            lexer.skipTrivia()
            if let c = lexer.peek() {
                throw lexer.error("unexpected \(Lexer.describe(c)) after the closing '}' of the top-level map")
            }
        } else {
            try parseMapBody(into: scope, openedAt: nil)
        }
        return ConfigNode(.map(scope.entries), position: start)
    }

    /// Parses entries until `}` (when `openedAt` is set) or the end of input.
    /// (Recursive path: kept minimal, work is done in non-recursive helpers.)
    mutating func parseMapBody(into scope: MapScope, openedAt open: SourcePosition?) throws {
        while try atNextEntry(openedAt: open) {
            try parseEntry(into: scope, inBraces: open != nil)
        }
    }

    /// Skips trivia; returns `false` at the end of the map (consuming its `}`).
    private mutating func atNextEntry(openedAt open: SourcePosition?) throws -> Bool {
        lexer.skipTrivia()
        guard let c = lexer.peek() else {
            if let open { throw lexer.error("unterminated map: missing '}'", at: open) }
            return false
        }
        guard c == "}" else { return true }
        guard open != nil else { throw lexer.error("unexpected '}' without a matching '{'") }
        lexer.advance()
        return false
    }

    /// Parses `key [=|:] value` or `include path`, then the value terminator.
    /// (Kept small: this is on the recursion path of nested maps.)
    mutating func parseEntry(into scope: MapScope, inBraces: Bool) throws {
        let keyPosition = lexer.position
        let (key, quoted) = try lexer.lexKey()
        if !quoted, try parseIncludeIfDirective(key, into: scope, inBraces: inBraces) {
            return
        }
        try skipKeySeparator(after: key)
        let node = try parseValue(for: key)
        scope.set(ConfigEntry(key: key, keyPosition: keyPosition, node: node))
        try parseValueEnd(after: key, inBraces: inBraces)
    }

    /// Handles `include path` when `key` is the keyword `include` followed by a
    /// space and something other than `=` or `:`; returns whether it did.
    private mutating func parseIncludeIfDirective(_ key: String, into scope: MapScope, inBraces: Bool) throws -> Bool {
        guard key.lowercased() == "include", let c = lexer.peek(), Lexer.isInlineSpace(c) else { return false }
        var probe = lexer
        probe.skipInlineSpace()
        guard let next = probe.peek(), next != "=", next != ":", !Lexer.isNewline(next) else { return false }
        lexer = probe
        let (path, pathPosition) = try lexIncludePath()
        try parseValueEnd(after: key, inBraces: inBraces)
        for entry in try loadInclude(path, at: pathPosition) {
            scope.set(entry)
        }
        return true
    }

    /// Skips spaces and an optional `=` or `:` between a key and its value. A
    /// line break is allowed only before `{`, `[`, `=` or `:` (Allman-style maps).
    private mutating func skipKeySeparator(after key: String) throws {
        lexer.skipInlineSpace()
        if let c = lexer.peek(), Lexer.isNewline(c) {
            var probe = lexer
            probe.skipTrivia()
            if let next = probe.peek(), next == "{" || next == "[" || next == "=" || next == ":" {
                lexer = probe
            }
        }
        if let c = lexer.peek(), c == "=" || c == ":" {
            lexer.advance()
            lexer.skipInlineSpace()
        }
        guard let c = lexer.peek() else {
            throw lexer.error("expected a value for key '\(key)' but found end of file")
        }
        if Lexer.isNewline(c) {
            throw lexer.error("expected a value for key '\(key)' but found new line")
        }
        if lexer.atCommentStart {
            throw lexer.error("expected a value for key '\(key)' but found a comment")
        }
    }

    /// After a map value: spaces, then a comment, new line, `,`, `;`, end of
    /// input, or (inside braces) a `}` which is left for the map to consume.
    private mutating func parseValueEnd(after key: String, inBraces: Bool) throws {
        lexer.skipInlineSpace()
        guard let c = lexer.peek() else { return }
        if lexer.atCommentStart {
            lexer.skipComment()
            return
        }
        if Lexer.isNewline(c) || c == "," || c == ";" {
            lexer.advance()
            return
        }
        if c == "}" && inBraces { return }
        throw lexer.error(
            "expected a new line, ',' or ';' after the value of '\(key)' but found \(Lexer.describe(c))")
    }

    /// Parses one value of any kind at the cursor.
    /// (Kept small: this is on the recursion path of nested maps and arrays.)
    mutating func parseValue(for key: String?) throws -> ConfigNode {
        switch lexer.peek() {
        case "{": return try parseMap()
        case "[": return try parseArray()
        default: return try parseScalar(for: key)
        }
    }

    private mutating func parseMap() throws -> ConfigNode {
        let start = lexer.position
        try enterContainer()
        defer { depth -= 1 }
        lexer.advance()
        let scope = MapScope()
        scopes.append(scope)
        defer { scopes.removeLast() }
        try parseMapBody(into: scope, openedAt: start)
        return ConfigNode(.map(scope.entries), position: start)
    }

    private mutating func parseArray() throws -> ConfigNode {
        let start = lexer.position
        try enterContainer()
        defer { depth -= 1 }
        lexer.advance()
        return ConfigNode(.array(try parseArrayBody(openedAt: start)), position: start)
    }

    /// Strings (quoted, block, bare), numbers, booleans, dates and variables.
    private mutating func parseScalar(for key: String?) throws -> ConfigNode {
        let start = lexer.position
        guard let c = lexer.peek() else { throw lexer.error("expected a value but found end of file") }
        switch c {
        case "\"":
            return ConfigNode(.string(try lexer.lexDoubleQuoted()), position: start)
        case "'":
            return ConfigNode(.string(try lexer.lexSingleQuoted()), position: start)
        case "(":
            return ConfigNode(.string(try lexer.lexBlock()), position: start)
        default:
            let token = lexer.lexBareToken()
            if token.isEmpty {
                let what = key.map { " for key '\($0)'" } ?? ""
                throw lexer.error("expected a value\(what) but found \(Lexer.describe(c))")
            }
            if token.hasPrefix("$") {
                return try resolveVariableToken(token, at: start)
            }
            return ConfigNode(try BareLiteral.classify(token, at: start), position: start)
        }
    }

    private mutating func enterContainer() throws {
        guard depth < ParseContext.maximumNestingDepth else {
            throw lexer.error("maps and arrays are nested too deeply (limit \(ParseContext.maximumNestingDepth))")
        }
        depth += 1
    }

    /// Parses array elements after `[`, separated by `,` or new lines, up to `]`.
    /// (Recursive path: kept minimal, work is done in non-recursive helpers.)
    private mutating func parseArrayBody(openedAt open: SourcePosition) throws -> [ConfigNode] {
        var items: [ConfigNode] = []
        while try atNextElement(openedAt: open) {
            items.append(try parseValue(for: nil))
            if try atArrayEndAfterElement(openedAt: open) { break }
        }
        return items
    }

    /// Skips trivia before an element; returns `false` (consuming `]`) at the end.
    private mutating func atNextElement(openedAt open: SourcePosition) throws -> Bool {
        lexer.skipTrivia()
        guard let c = lexer.peek() else { throw lexer.error("unterminated array: missing ']'", at: open) }
        if c == "]" {
            lexer.advance()
            return false
        }
        if c == "," { throw lexer.error("unexpected ',' in array (missing element)") }
        return true
    }

    /// After an element: a `,` or new line (returns `false`) or `]` (returns `true`).
    private mutating func atArrayEndAfterElement(openedAt open: SourcePosition) throws -> Bool {
        lexer.skipInlineSpace()
        if lexer.atCommentStart { lexer.skipComment() }
        guard let end = lexer.peek() else { throw lexer.error("unterminated array: missing ']'", at: open) }
        if end == "," || Lexer.isNewline(end) {
            lexer.advance()
            return false
        }
        if end == "]" {
            lexer.advance()
            return true
        }
        throw lexer.error("expected ',' or ']' after an array element but found \(Lexer.describe(end))")
    }
}
