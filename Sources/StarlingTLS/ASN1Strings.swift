import SwiftASN1

/// Decoding of the ASN.1 string types that Go's certificate parser turns into Go strings
/// (PrintableString, UTF8String, IA5String, T61String, NumericString, BMPString), and Go's
/// `asn1.Marshal` of a string (used for `OID=#hex` in `pkix.Name.String()`).
enum ASN1Strings {
    /// The string value of a DER node, or `nil` for other types (Go skips those).
    static func decode(_ node: ASN1Node) -> String? {
        guard node.identifier.tagClass == .universal, case .primitive(let bytes) = node.content else { return nil }
        switch node.identifier.tagNumber {
        case 0x0c, 0x13, 0x16, 0x12:  // UTF8String, PrintableString, IA5String, NumericString
            return String(validating: bytes, as: UTF8.self)
        case 0x14:  // T61String: Go keeps the bytes as they are.
            return String(decoding: bytes, as: UTF8.self)
        case 0x1e:  // BMPString: UCS-2 big-endian.
            guard bytes.count % 2 == 0 else { return nil }
            var units: [UInt16] = []
            var index = bytes.startIndex
            while index < bytes.endIndex {
                units.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
                index += 2
            }
            return String(decoding: units, as: UTF16.self)
        default:
            return nil
        }
    }

    /// `asn1.Marshal(s)` for a Go string: a PrintableString when every character is in the
    /// PrintableString set, otherwise a UTF8String; DER length.
    static func goMarshal(_ string: String) -> [UInt8] {
        let content = Array(string.utf8)
        let printable = content.allSatisfy(isPrintable)
        var out: [UInt8] = [printable ? 0x13 : 0x0c]
        if content.count < 0x80 {
            out.append(UInt8(content.count))
        } else {
            var length = content.count
            var lengthBytes: [UInt8] = []
            while length > 0 {
                lengthBytes.insert(UInt8(length & 0xff), at: 0)
                length >>= 8
            }
            out.append(0x80 | UInt8(lengthBytes.count))
            out += lengthBytes
        }
        return out + content
    }

    private static func isPrintable(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "+"), UInt8(ascii: ","),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "="),
             UInt8(ascii: "?"), UInt8(ascii: " "):
            return true
        default:
            return false
        }
    }
}
