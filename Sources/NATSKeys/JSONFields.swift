/// Helpers that decode and encode claim objects field by field, the way Go's encoding/json
/// treats nats-io/jwt structs: an absent or null field takes its zero value, `omitempty` fields
/// are left out when zero or empty, and embedded structs share their parent's object.

/// A coding key for any field name.
struct FieldKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

typealias FieldReader = KeyedDecodingContainer<FieldKey>
typealias FieldWriter = KeyedEncodingContainer<FieldKey>

/// A value Go's `omitempty` leaves out: zero numbers, false, empty strings, lists and maps.
protocol OmitsWhenEmpty {
    var isOmitted: Bool { get }
}

extension Int: OmitsWhenEmpty { var isOmitted: Bool { self == 0 } }
extension Int64: OmitsWhenEmpty { var isOmitted: Bool { self == 0 } }
extension UInt: OmitsWhenEmpty { var isOmitted: Bool { self == 0 } }
extension UInt8: OmitsWhenEmpty { var isOmitted: Bool { self == 0 } }
extension Bool: OmitsWhenEmpty { var isOmitted: Bool { !self } }
extension String: OmitsWhenEmpty { var isOmitted: Bool { isEmpty } }
extension Array: OmitsWhenEmpty { var isOmitted: Bool { isEmpty } }
extension Dictionary: OmitsWhenEmpty { var isOmitted: Bool { isEmpty } }
extension Optional: OmitsWhenEmpty { var isOmitted: Bool { self == nil } }

extension KeyedDecodingContainer where Key == FieldKey {
    /// The field `name`, or `zero` when it is absent or null.
    func field<T: Decodable>(_ name: String, or zero: T) throws -> T {
        try decodeIfPresent(T.self, forKey: FieldKey(name)) ?? zero
    }

    /// The field `name`, or nil when it is absent or null.
    func optionalField<T: Decodable>(_ name: String) throws -> T? {
        try decodeIfPresent(T.self, forKey: FieldKey(name))
    }

    /// Whether the object has the field `name` (even as null).
    func has(_ name: String) -> Bool { contains(FieldKey(name)) }

    /// Every field not in `known`, kept as JSON.
    func unknownFields(excluding known: Set<String>) throws -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for key in allKeys where !known.contains(key.stringValue) {
            result[key.stringValue] = try decode(JSONValue.self, forKey: key)
        }
        return result
    }
}

extension KeyedEncodingContainer where Key == FieldKey {
    /// Writes `value` under `name` unless it is zero or empty (`omitempty`).
    mutating func field<T: Encodable & OmitsWhenEmpty>(_ name: String, omittingEmpty value: T) throws {
        if !value.isOmitted { try encode(value, forKey: FieldKey(name)) }
    }

    /// Writes `value` under `name` always.
    mutating func field<T: Encodable>(_ name: String, _ value: T) throws {
        try encode(value, forKey: FieldKey(name))
    }

    /// Writes the kept unknown fields, skipping any whose name a typed field now owns.
    mutating func unknownFields(_ fields: [String: JSONValue], excluding known: Set<String>) throws {
        for (name, value) in fields where !known.contains(name) {
            try encode(value, forKey: FieldKey(name))
        }
    }
}

/// `time.Duration` in JSON: an integer count of nanoseconds.
enum GoDuration {
    static func decode(_ reader: FieldReader, _ name: String) throws -> Duration {
        .nanoseconds(try reader.field(name, or: Int64(0)))
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
