import Foundation

/// `include path` directives: the named file (relative to the including file's
/// directory) is parsed on its own and its top-level entries are merged into the
/// map that holds the directive.
extension Parser {
    /// Reads the path of an `include` directive (quoted or bare).
    mutating func lexIncludePath() throws -> (path: String, position: SourcePosition) {
        let pathPosition = lexer.position
        let path: String
        switch lexer.peek() {
        case "\"":
            path = try lexer.lexRawQuoted(quote: "\"", what: "include path")
        case "'":
            path = try lexer.lexRawQuoted(quote: "'", what: "include path")
        default:
            let token = lexer.lexBareToken()
            if let first = token.unicodeScalars.first, first == "{" || first == "[" || first == "(" {
                throw lexer.error("expected an include path but found \(Lexer.describe(first))", at: pathPosition)
            }
            path = token
        }
        if path.isEmpty {
            throw lexer.error("include path is empty", at: pathPosition)
        }
        return (path, pathPosition)
    }

    /// Parses the included file on its own and returns its top-level entries.
    func loadInclude(_ path: String, at position: SourcePosition) throws -> [ConfigEntry] {
        let displayPath = IncludePaths.join(context.baseDirectory, path)
        let fullPath = IncludePaths.join(context.baseDirectory ?? FileManager.default.currentDirectoryPath, path)
        let canonical = IncludePaths.canonical(fullPath)
        if let index = context.includeStack.firstIndex(of: canonical) {
            let chain = (context.includeNames[index...] + [displayPath]).joined(separator: " -> ")
            throw ConfigError("include cycle: \(chain)", at: position)
        }
        if context.includeStack.count >= ParseContext.maximumIncludeDepth {
            throw ConfigError("includes are nested too deeply (limit \(ParseContext.maximumIncludeDepth))", at: position)
        }
        let text: String
        do {
            text = try IncludePaths.read(fullPath)
        } catch let reason as IncludePaths.ReadFailure {
            throw ConfigError("cannot include '\(path)': \(reason.message)", at: position)
        }
        var nested = context
        nested.baseDirectory = (fullPath as NSString).deletingLastPathComponent
        nested.includeStack.append(canonical)
        nested.includeNames.append(displayPath)
        nested.initialDepth = depth
        var parser = Parser(text: text, file: displayPath, context: nested)
        return try parser.parseDocument().entries ?? []
    }
}

/// Path helpers for includes and top-level files.
enum IncludePaths {
    struct ReadFailure: Error {
        var message: String
    }

    /// Joins `path` onto `base` (unless absolute) and removes `.`/`..` segments lexically.
    static func join(_ base: String?, _ path: String) -> String {
        let combined: String
        if path.hasPrefix("/") || base == nil || base == "" {
            combined = path
        } else if let base, base.hasSuffix("/") {
            combined = base + path
        } else {
            combined = (base ?? "") + "/" + path
        }
        return normalize(combined)
    }

    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if part == "..", absolute { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// Absolute path with symbolic links resolved, to recognise the same file.
    static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// Reads a UTF-8 text file (invalid bytes are replaced, never fatal).
    static func read(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReadFailure(message: "no such file '\(path)'")
        }
        if isDirectory.boolValue {
            throw ReadFailure(message: "'\(path)' is a directory")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadFailure(message: "'\(path)' cannot be read")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
