/// A location in a configuration source: file name, 1-based line and 1-based column.
///
/// Columns count Unicode scalars (a tab counts as one column). A position whose
/// `line` is `0` refers to a whole file rather than a place inside it (for example
/// when the file itself cannot be read).
public struct SourcePosition: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The file name as it was given to the parser (or resolved for an include).
    public var file: String
    /// The 1-based line number, or `0` for "the whole file".
    public var line: Int
    /// The 1-based column number (in Unicode scalars), or `0` for "the whole file".
    public var column: Int

    /// Creates a position.
    /// - Parameters:
    ///   - file: The file name to report.
    ///   - line: The 1-based line number (`0` for the whole file).
    ///   - column: The 1-based column number (`0` for the whole file).
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// The position formatted as `file:line:col`.
    public var description: String {
        "\(file):\(line):\(column)"
    }
}
