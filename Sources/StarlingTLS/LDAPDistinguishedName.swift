/// A distinguished name as nats-server's `internal/ldap` package models it, for the mTLS
/// "DN equality" mapping step: a list of RDNs, each a list of `type=value` attributes.
///
/// Attribute types compare case-insensitively and values exactly; attribute order inside an
/// RDN never matters. ``isEqual(to:)`` also needs the RDNs in the same order, while
/// ``rdnsMatch(_:)`` accepts them in any order.
public struct LDAPDistinguishedName: Sendable, Equatable, CustomStringConvertible {
    /// One `type=value` pair.
    public struct Attribute: Sendable, Equatable {
        /// The attribute type as written (`CN`, `ou`, ...).
        public var type: String
        /// The attribute value, unescaped.
        public var value: String

        /// Creates an attribute.
        public init(type: String, value: String) {
            self.type = type
            self.value = value
        }

        func matches(_ other: Attribute) -> Bool {
            type.lowercased() == other.type.lowercased() && value == other.value
        }
    }

    /// The RDNs, most specific first (as in a written DN such as `CN=a,O=b`).
    public var rdns: [[Attribute]]

    /// Creates a DN from RDNs.
    public init(rdns: [[Attribute]]) {
        self.rdns = rdns
    }

    /// Parses a DN string the way nats-server's `ldap.ParseDN` does (RFC 4514 with its quirks:
    /// unescaped leading and trailing spaces of a value are dropped, `\XX` hex escapes decode one
    /// byte, a value starting with `#` is refused, a trailing empty value is ignored).
    /// - Throws: ``LDAPDistinguishedName/ParseError`` when the text is not a DN.
    public init(parsing text: String) throws {
        rdns = try LDAPDNParser.parse(Array(text.utf8))
    }

    /// Why a DN string could not be parsed.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The reason, in go-ldap's words.
        public var description: String
    }

    /// RFC 4517 distinguishedNameMatch: same number of RDNs and equal RDNs position by position.
    public func isEqual(to other: LDAPDistinguishedName) -> Bool {
        guard rdns.count == other.rdns.count else { return false }
        return zip(rdns, other.rdns).allSatisfy { Self.rdnEqual($0, $1) }
    }

    /// Whether the two DNs have the same RDNs, in any order.
    public func rdnsMatch(_ other: LDAPDistinguishedName) -> Bool {
        guard rdns.count == other.rdns.count else { return false }
        var used = [Bool](repeating: false, count: other.rdns.count)
        for mine in rdns {
            guard let index = other.rdns.indices.first(where: { !used[$0] && Self.rdnEqual(mine, other.rdns[$0]) })
            else { return false }
            used[index] = true
        }
        return true
    }

    /// The DN as `type=value` pairs joined by `+` and `,`, values escaped as in RFC 4514.
    public var description: String {
        rdns.map { rdn in
            rdn.map { "\($0.type)=\(GoSubjectName.escape($0.value))" }.joined(separator: "+")
        }.joined(separator: ",")
    }

    private static func rdnEqual(_ a: [Attribute], _ b: [Attribute]) -> Bool {
        guard a.count == b.count else { return false }
        return b.allSatisfy { x in a.contains { $0.matches(x) } } && a.allSatisfy { x in b.contains { $0.matches(x) } }
    }
}

/// go-ldap's `ParseDN` state machine over bytes.
enum LDAPDNParser {
    typealias Attribute = LDAPDistinguishedName.Attribute

    static func parse(_ input: [UInt8]) throws -> [[Attribute]] {
        var rdns: [[Attribute]] = []
        var rdn: [Attribute] = []
        var buffer: [UInt8] = []
        var type: String?
        var escaping = false
        var trailingSpaces = 0

        func take() -> String {
            let text = String(decoding: buffer.dropLast(trailingSpaces), as: UTF8.self)
            buffer.removeAll(keepingCapacity: true)
            trailingSpaces = 0
            return text
        }
        func fail(_ message: String) -> LDAPDistinguishedName.ParseError {
            LDAPDistinguishedName.ParseError(description: message)
        }

        var i = 0
        while i < input.count {
            let char = input[i]
            if escaping {
                trailingSpaces = 0
                escaping = false
                if Array(" \"#+,;<=>\\".utf8).contains(char) {
                    buffer.append(char)
                    i += 1
                    continue
                }
                guard i + 1 < input.count else { throw fail("got corrupted escaped character") }
                guard let high = hexValue(input[i]), let low = hexValue(input[i + 1]) else {
                    throw fail("failed to decode escaped character: encoding/hex: invalid byte")
                }
                buffer.append(high << 4 | low)
                i += 2
                continue
            }
            switch char {
            case UInt8(ascii: "\\"):
                trailingSpaces = 0
                escaping = true
            case UInt8(ascii: "="):
                type = take()
                if i + 1 < input.count, input[i + 1] == UInt8(ascii: "#") {
                    throw fail("unsupported BER encoding")
                }
            case UInt8(ascii: ","), UInt8(ascii: "+"):
                guard let t = type, !t.isEmpty else { throw fail("incomplete type, value pair") }
                rdn.append(Attribute(type: t, value: take()))
                type = nil
                if char == UInt8(ascii: ",") {
                    rdns.append(rdn)
                    rdn = []
                }
            case UInt8(ascii: " ") where buffer.isEmpty:
                break
            default:
                trailingSpaces = char == UInt8(ascii: " ") ? trailingSpaces + 1 : 0
                buffer.append(char)
            }
            i += 1
        }
        if !buffer.isEmpty {
            guard let t = type, !t.isEmpty else { throw fail("DN ended with incomplete type, value pair") }
            rdn.append(Attribute(type: t, value: take()))
            rdns.append(rdn)
        }
        return rdns
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
