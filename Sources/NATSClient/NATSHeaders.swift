/// A NATS header block (`NATS/1.0` followed by MIME-style fields), in the order given.
///
/// A block received from the server may carry a status line, e.g. `NATS/1.0 503` for
/// "no responders"; ``status`` and ``statusDescription`` hold it.
public struct NATSHeaders: Sendable, Equatable {
    /// Field names and values, in order; a name may repeat.
    public var fields: [Field]
    /// The status code from the first line, if any (e.g. 503).
    public var status: Int?
    /// The text after the status code, if any.
    public var statusDescription: String?

    /// One header field.
    public struct Field: Sendable, Equatable {
        /// The field name.
        public var name: String
        /// The field value.
        public var value: String

        /// Creates a field.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Creates a header block from `(name, value)` pairs.
    public init(_ pairs: [(String, String)] = []) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    /// The first value for `name` (exact match first, then case-insensitive).
    public subscript(name: String) -> String? {
        if let exact = fields.first(where: { $0.name == name }) { return exact.value }
        let lower = name.lowercased()
        return fields.first { $0.name.lowercased() == lower }?.value
    }

    /// All values for `name`, compared case-insensitively.
    public func values(for name: String) -> [String] {
        let lower = name.lowercased()
        return fields.filter { $0.name.lowercased() == lower }.map(\.value)
    }

    /// Appends a field.
    public mutating func append(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// The wire form: `NATS/1.0[ status]\r\n` then `name: value\r\n` per field, then `\r\n`.
    public func encoded() -> [UInt8] {
        var text = "NATS/1.0"
        if let status {
            text += " \(status)"
            if let statusDescription, !statusDescription.isEmpty { text += " \(statusDescription)" }
        }
        text += "\r\n"
        for field in fields {
            text += "\(field.name.strippingLineBreaks): \(field.value.strippingLineBreaks)\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// Parses a received block; `nil` when it does not start with `NATS/1.0`.
    public init?(parsing bytes: UnsafeRawBufferPointer) {
        // Split on bytes: as Characters, "\r\n" is one grapheme and would not split on "\n".
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        }[...]
        guard let first = lines.popFirst(), first.hasPrefix("NATS/1.0") else { return nil }
        fields = []
        let statusPart = first.dropFirst("NATS/1.0".count).drop { $0 == " " || $0 == "\t" }
        if !statusPart.isEmpty {
            let code = statusPart.prefix { $0.isNumber }
            status = Int(code)
            let rest = statusPart.dropFirst(code.count).drop { $0 == " " || $0 == "\t" }
            statusDescription = rest.isEmpty ? nil : String(rest)
        }
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            fields.append(Field(name: name, value: String(value)))
        }
    }
}

extension String {
    fileprivate var strippingLineBreaks: String {
        guard contains(where: { $0 == "\r" || $0 == "\n" }) else { return self }
        return String(filter { $0 != "\r" && $0 != "\n" })
    }
}
