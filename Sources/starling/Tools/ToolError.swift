import ArgumentParser
import NATSClient

/// A tool failure with a message for the user.
struct ToolError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Runs a tool's body: any failure is printed as `starling: message` on standard error and
/// ends the process with status 1.
enum ToolRunner {
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            ToolOutput.error(message(for: error))
            throw ExitCode(1)
        }
    }

    /// The words for `error`: ``NATSError`` and ``ToolError`` describe themselves.
    static func message(for error: any Error) -> String {
        switch error {
        case let error as NATSError: "\(error)"
        case let error as ToolError: error.description
        default: "\(error)"
        }
    }
}
