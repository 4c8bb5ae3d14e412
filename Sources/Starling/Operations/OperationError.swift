import Foundation

/// A failure of an operational task (log file, pid or ports file, `--signal`), with the text
/// to show the operator.
public struct OperationError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// The message, in nats-server's wording where it has one.
    public let description: String

    /// Creates an error with the given message.
    public init(_ description: String) {
        self.description = description
    }

    /// An error for a failed system call: `"<context>: <strerror(code)>"`.
    static func system(_ context: String, errno code: Int32 = errno) -> OperationError {
        OperationError("\(context): \(String(cString: strerror(code)).lowercased())")
    }

    /// The message, for `localizedDescription`.
    public var errorDescription: String? { description }
}
