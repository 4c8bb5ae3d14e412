import Foundation

/// An error found in a configuration, tied to the place in the source it concerns.
///
/// The parser throws only `ConfigError`s. Decoders that interpret the parsed tree
/// should create their own `ConfigError`s with the position of the offending key
/// or value (see ``ConfigEntry/keyPosition`` and ``ConfigNode/position``), so that
/// every message reads `file:line:col: message`.
public struct ConfigError: Error, CustomStringConvertible, LocalizedError, Sendable, Equatable {
    /// Where the problem is.
    public var position: SourcePosition
    /// What the problem is, without the position prefix.
    public var message: String

    /// Variable failures are re-anchored when they happen inside a value that was
    /// itself read from an environment variable.
    var variableFailure: VariableFailure?

    /// Creates an error at a position.
    /// - Parameters:
    ///   - message: The human-readable message, without position prefix.
    ///   - position: Where the problem is.
    public init(_ message: String, at position: SourcePosition) {
        self.message = message
        self.position = position
        self.variableFailure = nil
    }

    /// Creates an error at a position (argument-label variant).
    /// - Parameters:
    ///   - position: Where the problem is.
    ///   - message: The human-readable message, without position prefix.
    public init(position: SourcePosition, message: String) {
        self.init(message, at: position)
    }

    init(_ message: String, at position: SourcePosition, variableFailure: VariableFailure) {
        self.init(message, at: position)
        self.variableFailure = variableFailure
    }

    /// `file:line:col: message`, or `file: message` when the position has no line.
    public var description: String {
        if position.line > 0 {
            return "\(position): \(message)"
        }
        return "\(position.file): \(message)"
    }

    /// Same as ``description``.
    public var errorDescription: String? { description }

    /// Two errors are equal when their positions and messages are equal.
    public static func == (lhs: ConfigError, rhs: ConfigError) -> Bool {
        lhs.position == rhs.position && lhs.message == rhs.message
    }
}

/// The kinds of variable-resolution failure (kept so they can be re-reported).
enum VariableFailure: Sendable {
    case notFound(String)
    case cycle(String)
}
