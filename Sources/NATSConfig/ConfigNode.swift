import Foundation

/// One value of a parsed configuration, with the position it came from.
///
/// A parsed file is a tree of `ConfigNode`s whose root is a map. Map entries
/// keep their source order and the case of their keys; use ``subscript(_:)``
/// or ``entry(forKey:)`` for case-insensitive lookup.
public struct ConfigNode: Sendable, Equatable {
    /// The kind of a node's value.
    public enum Kind: String, Sendable, Equatable, CustomStringConvertible {
        /// A string (quoted, bare or block).
        case string
        /// A 64-bit signed integer (size suffixes already applied).
        case integer
        /// A floating-point number.
        case float
        /// A boolean (`true`, `false`, `yes`, `no`, `on`, `off`).
        case bool
        /// An ISO 8601 Zulu datetime.
        case date
        /// An array of nodes.
        case array
        /// An ordered map of keyed entries.
        case map

        /// A human-readable name such as `"integer"` or `"map"`.
        public var description: String {
            switch self {
            case .bool: return "boolean"
            default: return rawValue
            }
        }
    }

    /// The value held by a node.
    public enum Value: Sendable, Equatable {
        /// A string.
        case string(String)
        /// An integer.
        case integer(Int64)
        /// A floating-point number.
        case float(Double)
        /// A boolean.
        case bool(Bool)
        /// A datetime.
        case date(Date)
        /// An array.
        case array([ConfigNode])
        /// A map, in source order.
        case map([ConfigEntry])
    }

    /// The value.
    public var value: Value
    /// Where the value starts in the source. For a value produced by a `$VARIABLE`
    /// reference, this is the position of the reference.
    public var position: SourcePosition

    /// Creates a node.
    /// - Parameters:
    ///   - value: The value.
    ///   - position: Where the value is in the source.
    public init(_ value: Value, position: SourcePosition) {
        self.value = value
        self.position = position
    }

    /// The kind of the value.
    public var kind: Kind {
        switch value {
        case .string: return .string
        case .integer: return .integer
        case .float: return .float
        case .bool: return .bool
        case .date: return .date
        case .array: return .array
        case .map: return .map
        }
    }
}

/// One `key: value` entry of a map.
public struct ConfigEntry: Sendable, Equatable {
    /// The key exactly as written (case preserved, quotes removed).
    public var key: String
    /// Where the key starts in the source (use this for "unknown field" errors).
    public var keyPosition: SourcePosition
    /// The value.
    public var node: ConfigNode
    /// `true` when this key was referenced as `$key` by a later value. nats-server
    /// does not report unknown top-level keys that are used as variables, so a
    /// decoder should skip unknown keys for which this is `true`.
    public var isUsedAsVariable: Bool

    /// Creates an entry.
    /// - Parameters:
    ///   - key: The key.
    ///   - keyPosition: Where the key is in the source.
    ///   - node: The value.
    ///   - isUsedAsVariable: Whether the key was referenced as a variable.
    public init(key: String, keyPosition: SourcePosition, node: ConfigNode, isUsedAsVariable: Bool = false) {
        self.key = key
        self.keyPosition = keyPosition
        self.node = node
        self.isUsedAsVariable = isUsedAsVariable
    }
}
