/// A subject pattern split into tokens once, for matching literal subjects given as raw bytes
/// without building Strings (delivery-time permission filters, subject rewriting).
public struct SubjectPattern: Sendable, Equatable {
    /// One token of a pattern.
    public enum Token: Sendable, Equatable {
        /// A literal token.
        case literal([UInt8])
        /// `*`: exactly one token.
        case any
        /// `>`: one or more tokens (last only).
        case rest
    }

    /// The pattern's tokens.
    public let tokens: [Token]
    /// The pattern as written.
    public let text: String

    /// Splits `text` into tokens; the caller has validated it.
    public init(_ text: String) {
        self.text = text
        tokens = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map { token in
            if token.count == 1 && token.first == UInt8(ascii: "*") { return .any }
            if token.count == 1 && token.first == UInt8(ascii: ">") { return .rest }
            return .literal(Array(token))
        }
    }

    /// Whether the literal subject `subject` matches this pattern.
    public func matches(_ subject: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        var start = 0
        let count = subject.count
        while start <= count {
            var end = start
            while end < count && subject[end] != UInt8(ascii: ".") { end += 1 }
            guard index < tokens.count else { return false }
            switch tokens[index] {
            case .rest:
                return true
            case .any:
                break
            case .literal(let bytes):
                guard bytes.count == end - start else { return false }
                for k in 0..<bytes.count where bytes[k] != subject[start + k] { return false }
            }
            index += 1
            start = end + 1
        }
        return index == tokens.count
    }

    /// Whether this pattern and `other` can match a common literal subject.
    public func overlaps(_ other: SubjectPattern) -> Bool {
        var i = 0
        while i < tokens.count && i < other.tokens.count {
            let (a, b) = (tokens[i], other.tokens[i])
            if a == .rest || b == .rest { return true }
            if case .literal(let x) = a, case .literal(let y) = b, x != y { return false }
            i += 1
        }
        return i == tokens.count && i == other.tokens.count
    }

    /// The values of the `*` tokens and the `>` remainder in `subject`, in order (for `to` mappings).
    public func wildcardValues(in subject: String) -> [Substring]? {
        let parts = subject.split(separator: ".", omittingEmptySubsequences: false)
        var values: [Substring] = []
        for (i, token) in tokens.enumerated() {
            guard i < parts.count else { return nil }
            switch token {
            case .rest: values.append(parts[i...].joined(separator: ".")[...]); return values
            case .any: values.append(parts[i])
            case .literal(let bytes): guard Array(parts[i].utf8) == bytes else { return nil }
            }
        }
        return parts.count == tokens.count ? values : nil
    }

    /// This pattern with its wildcards replaced, in order, by `values`; nil if they don't fit.
    public func filled(with values: [Substring]) -> String? {
        var next = values.makeIterator()
        var out: [String] = []
        for token in tokens {
            switch token {
            case .literal(let bytes): out.append(String(decoding: bytes, as: UTF8.self))
            case .any, .rest:
                guard let value = next.next() else { return nil }
                out.append(String(value))
            }
        }
        return out.joined(separator: ".")
    }
}
