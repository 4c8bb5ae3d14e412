import Foundation

extension ConfigNode {
    /// The string, if this is a string node.
    public var string: String? {
        if case .string(let s) = value { return s }
        return nil
    }

    /// The integer, if this is an integer node.
    public var int64: Int64? {
        if case .integer(let i) = value { return i }
        return nil
    }

    /// The integer as `Int`, if this is an integer node that fits.
    public var int: Int? {
        int64.flatMap { Int(exactly: $0) }
    }

    /// The number as `Double`, if this is a float or an integer node.
    public var double: Double? {
        switch value {
        case .float(let d): return d
        case .integer(let i): return Double(i)
        default: return nil
        }
    }

    /// The boolean, if this is a boolean node.
    public var bool: Bool? {
        if case .bool(let b) = value { return b }
        return nil
    }

    /// The date, if this is a datetime node.
    public var date: Date? {
        if case .date(let d) = value { return d }
        return nil
    }

    /// The elements, if this is an array node.
    public var array: [ConfigNode]? {
        if case .array(let a) = value { return a }
        return nil
    }

    /// The entries in source order, if this is a map node.
    public var entries: [ConfigEntry]? {
        if case .map(let m) = value { return m }
        return nil
    }

    /// The keys in source order (empty unless this is a map node).
    public var keys: [String] {
        entries?.map(\.key) ?? []
    }

    /// Case-insensitive lookup of a key in a map node. When several keys match
    /// (for example `Port` and `port`), the last one in source order wins.
    /// Returns `nil` when the key is absent or this is not a map.
    public subscript(_ key: String) -> ConfigNode? {
        entry(forKey: key)?.node
    }

    /// Case-insensitive lookup of an entry (key, key position and value) in a map
    /// node; the last match in source order wins.
    public func entry(forKey key: String) -> ConfigEntry? {
        guard let entries else { return nil }
        let wanted = key.lowercased()
        return entries.last { $0.key.lowercased() == wanted }
    }

    /// Whether a map node has a key, compared case-insensitively.
    public func contains(key: String) -> Bool {
        entry(forKey: key) != nil
    }

    /// The entries of a map node whose keys were referenced as `$variables`
    /// (empty for other nodes). A decoder should not report these as unknown.
    public var entriesUsedAsVariables: [ConfigEntry] {
        entries?.filter(\.isUsedAsVariable) ?? []
    }

    /// An error at this node's position, for decoders: `node.error("must be positive")`.
    public func error(_ message: String) -> ConfigError {
        ConfigError(message, at: position)
    }

    /// The string, or a `ConfigError` naming this position.
    public func requireString() throws -> String {
        guard let s = string else { throw mismatch("a string") }
        return s
    }

    /// The integer, or a `ConfigError` naming this position.
    public func requireInt() throws -> Int {
        guard let i = int else { throw mismatch("an integer") }
        return i
    }

    /// The number (float or integer), or a `ConfigError` naming this position.
    public func requireDouble() throws -> Double {
        guard let d = double else { throw mismatch("a number") }
        return d
    }

    /// The boolean, or a `ConfigError` naming this position.
    public func requireBool() throws -> Bool {
        guard let b = bool else { throw mismatch("a boolean") }
        return b
    }

    /// The array elements, or a `ConfigError` naming this position.
    public func requireArray() throws -> [ConfigNode] {
        guard let a = array else { throw mismatch("an array") }
        return a
    }

    /// The map entries, or a `ConfigError` naming this position.
    public func requireEntries() throws -> [ConfigEntry] {
        guard let m = entries else { throw mismatch("a map") }
        return m
    }

    private func mismatch(_ expected: String) -> ConfigError {
        ConfigError("expected \(expected) but found \(kindDescriptionWithArticle)", at: position)
    }

    /// "an integer", "a map", ... for messages.
    var kindDescriptionWithArticle: String {
        switch kind {
        case .integer, .array: return "an \(kind)"
        default: return "a \(kind)"
        }
    }

    /// A copy whose positions (all nested values and keys included) are `position`.
    func relocated(to position: SourcePosition) -> ConfigNode {
        switch value {
        case .array(let items):
            return ConfigNode(.array(items.map { $0.relocated(to: position) }), position: position)
        case .map(let entries):
            let moved = entries.map {
                ConfigEntry(key: $0.key, keyPosition: position,
                            node: $0.node.relocated(to: position), isUsedAsVariable: $0.isUsedAsVariable)
            }
            return ConfigNode(.map(moved), position: position)
        default:
            return ConfigNode(value, position: position)
        }
    }
}
