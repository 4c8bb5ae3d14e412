import Foundation

/// Unbuffered output of the tools: each call is one write, so output piped into another
/// program arrives as it happens.
enum ToolOutput {
    /// Writes `text` to standard output.
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes `text` and a line end to standard error (progress and information).
    static func info(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Writes `starling: text` to standard error.
    static func error(_ text: String) {
        info("starling: " + text)
    }

    /// `text` in double quotes with `"` and `\` escaped, as Go's `%q` shows a plain subject.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for char in text {
            switch char {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default: result.append(char)
            }
        }
        return result + "\""
    }
}
