import SwiftASN1

/// Go's `crypto/x509/pkix` rendering of a certificate subject, reproduced for identity mapping:
/// `Name.ToRDNSequence().String()` (the user name nats-server maps a certificate to) and
/// `Name.String()` (the subject shown in `/connz`).
enum GoSubjectName {
    typealias Attribute = CertificateFields.Attribute

    /// `pkix.Name` after `FillFromRDNSequence`: repeated types collect in certificate order,
    /// `CN` and `SERIALNUMBER` keep the last value.
    struct Fields {
        var country: [String] = []
        var province: [String] = []
        var locality: [String] = []
        var streetAddress: [String] = []
        var postalCode: [String] = []
        var organization: [String] = []
        var organizationalUnit: [String] = []
        var commonName = ""
        var serialNumber = ""
        /// Attributes with a string value whose type is not one of the named fields.
        var extra: [(oid: String, value: String)] = []

        init(_ subject: [[Attribute]]) {
            for rdn in subject {
                for atv in rdn {
                    guard let value = atv.value else { continue }
                    let c = atv.type.oidComponents
                    guard c.count == 4, c[0] == 2, c[1] == 5, c[2] == 4 else {
                        extra.append((atv.type.description, value))
                        continue
                    }
                    switch c[3] {
                    case 3: commonName = value
                    case 5: serialNumber = value
                    case 6: country.append(value)
                    case 7: locality.append(value)
                    case 8: province.append(value)
                    case 9: streetAddress.append(value)
                    case 10: organization.append(value)
                    case 11: organizationalUnit.append(value)
                    case 17: postalCode.append(value)
                    default: extra.append((atv.type.description, value))
                    }
                }
            }
        }

        /// `ToRDNSequence()`: one RDN per named type, in Go's fixed order, before reversal.
        var rdnSequence: [[RenderedAttribute]] {
            var out: [[RenderedAttribute]] = []
            func add(_ values: [String], _ type: String) {
                if !values.isEmpty { out.append(values.map { RenderedAttribute(type: type, value: $0) }) }
            }
            add(country, "C")
            add(province, "ST")
            add(locality, "L")
            add(streetAddress, "STREET")
            add(postalCode, "POSTALCODE")
            add(organization, "O")
            add(organizationalUnit, "OU")
            if !commonName.isEmpty { add([commonName], "CN") }
            if !serialNumber.isEmpty { add([serialNumber], "SERIALNUMBER") }
            return out
        }
    }

    /// `cert.Subject.ToRDNSequence().String()`, e.g. `CN=alice,OU=eng,O=Acme,L=SF,ST=CA,C=US`.
    static func rdnString(_ subject: [[Attribute]]) -> String {
        render(Fields(subject).rdnSequence)
    }

    /// `cert.Subject.String()`: the RDN string with other string attributes (emailAddress, DC,
    /// UID, ...) prepended as `OID=#hex` of Go's re-encoding of the value.
    static func nameString(_ subject: [[Attribute]]) -> String {
        let fields = Fields(subject)
        var sequence = fields.rdnSequence
        for extra in fields.extra {
            let encoded = "#" + hex(ASN1Strings.goMarshal(extra.value))
            sequence.append([RenderedAttribute(type: extra.oid, value: encoded, isEncoded: true)])
        }
        return render(sequence)
    }

    /// One `type=value` of the rendering; an encoded value (`#hex`) is not escaped.
    struct RenderedAttribute {
        var type: String
        var value: String
        var isEncoded = false
    }

    /// `RDNSequence.String()`: RDNs last to first, joined by `,`; values of one RDN joined by `+`.
    private static func render(_ sequence: [[RenderedAttribute]]) -> String {
        sequence.reversed().map { rdn in
            rdn.map { atv in
                "\(atv.type)=\(atv.isEncoded ? atv.value : escape(atv.value))"
            }.joined(separator: "+")
        }.joined(separator: ",")
    }

    /// Go's RFC 2253 escaping: `, + " \ < > ;` anywhere, a space at the first or last byte, `#`
    /// at the first byte.
    static func escape(_ value: String) -> String {
        let byteCount = value.utf8.count
        var out = ""
        var offset = 0
        for scalar in value.unicodeScalars {
            var needsEscape = false
            switch scalar {
            case ",", "+", "\"", "\\", "<", ">", ";": needsEscape = true
            case " ": needsEscape = offset == 0 || offset == byteCount - 1
            case "#": needsEscape = offset == 0
            default: break
            }
            if needsEscape { out.append("\\") }
            out.unicodeScalars.append(scalar)
            offset += String(scalar).utf8.count
        }
        return out
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
