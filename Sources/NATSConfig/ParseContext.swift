/// State shared by a parse and the nested parses it starts (included files and
/// values read from environment variables), used to bound recursion.
struct ParseContext {
    /// Maximum nesting of maps and arrays, counted across includes.
    static let maximumNestingDepth = 128
    /// Maximum nesting of include files.
    static let maximumIncludeDepth = 32
    /// Maximum chain of environment variables whose values refer to others.
    static let maximumEnvironmentDepth = 32

    /// Directory that relative include paths are resolved against
    /// (`nil`: the current working directory).
    var baseDirectory: String?
    /// Canonical paths of the files being parsed, outermost first.
    var includeStack: [String] = []
    /// Display names matching `includeStack`, for cycle messages.
    var includeNames: [String] = []
    /// Environment variables whose values are being parsed, outermost first.
    var resolvingEnvironment: [String] = []
    /// Nesting depth at which this parse starts.
    var initialDepth = 0
}
