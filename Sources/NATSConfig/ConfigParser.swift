import Foundation

/// Entry points for parsing nats-server configuration files.
///
/// The result is the top-level map as a ``ConfigNode``. Every error thrown is a
/// ``ConfigError`` whose description reads `file:line:col: message`.
public enum ConfigParser {
    /// Maximum nesting of maps and arrays (across includes).
    public static let maximumNestingDepth = ParseContext.maximumNestingDepth
    /// Maximum nesting of `include` directives.
    public static let maximumIncludeDepth = ParseContext.maximumIncludeDepth

    /// Parses the file at `path`. Includes are resolved relative to its directory;
    /// positions use `path` as given as the file name.
    /// - Throws: ``ConfigError``.
    public static func parse(fileAt path: String) throws -> ConfigNode {
        let text: String
        do {
            text = try IncludePaths.read(path)
        } catch let reason as IncludePaths.ReadFailure {
            throw ConfigError("cannot read configuration file: \(reason.message)",
                              at: SourcePosition(file: path, line: 0, column: 0))
        }
        let directory = (path as NSString).deletingLastPathComponent
        var context = ParseContext()
        context.baseDirectory = directory.isEmpty ? nil : directory
        context.includeStack = [IncludePaths.canonical(path)]
        context.includeNames = [path]
        var parser = Parser(text: text, file: path, context: context)
        return try parser.parseDocument()
    }

    /// Parses configuration text.
    /// - Parameters:
    ///   - string: The configuration text.
    ///   - fileName: The name used in positions and error messages.
    ///   - baseDirectory: Directory for relative `include` paths; `nil` means the
    ///     current working directory.
    /// - Throws: ``ConfigError``.
    public static func parse(string: String, fileName: String = "<string>", baseDirectory: String? = nil) throws -> ConfigNode {
        var context = ParseContext()
        context.baseDirectory = baseDirectory
        var parser = Parser(text: string, file: fileName, context: context)
        return try parser.parseDocument()
    }
}
