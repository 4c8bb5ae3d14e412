import SwiftASN1
import X509

/// The parts of an X.509 certificate that identity mapping and pinning need, taken from the DER
/// exactly as encoded (no re-encoding, no reordering), like Go's `RawSubject` and
/// `RawSubjectPublicKeyInfo`.
///
/// The walk uses SwiftASN1 for the outer structure and swift-certificates for the SAN
/// extension, so it does not depend on the public key algorithm being one swift-certificates
/// can construct.
struct CertificateFields: Sendable {
    /// One attribute of the subject, in certificate order.
    struct Attribute: Sendable, Equatable {
        /// The attribute type.
        var type: ASN1ObjectIdentifier
        /// The decoded string, or `nil` when the value is not an ASN.1 string type that Go decodes.
        var value: String?
    }

    /// The subject's RDNs in certificate order, attributes in encoded order.
    var subject: [[Attribute]]
    /// The DER `SubjectPublicKeyInfo`.
    var subjectPublicKeyInfo: [UInt8]
    /// rfc822Name SANs, in order.
    var emailAddresses: [String] = []
    /// dNSName SANs, in order.
    var dnsNames: [String] = []
    /// uniformResourceIdentifier SANs, in order.
    var uris: [String] = []
    /// iPAddress SANs as text, in order.
    var ipAddresses: [String] = []

    /// Parses a DER certificate.
    /// - Throws: an ASN.1 error when the bytes are not a certificate.
    init(derBytes: [UInt8]) throws {
        let root = try DER.parse(derBytes)
        let certificate = try Self.children(of: root)
        guard let tbsNode = certificate.first else { throw ASN1Error.invalidASN1Object(reason: "empty certificate") }
        var fields = try Self.children(of: tbsNode)[...]
        // version [0] EXPLICIT is optional.
        if let first = fields.first, first.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
            fields = fields.dropFirst()
        }
        // serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, ...
        let rest = Array(fields)
        guard rest.count >= 6 else { throw ASN1Error.invalidASN1Object(reason: "short TBSCertificate") }
        subject = try Self.parseName(rest[4])
        subjectPublicKeyInfo = Array(rest[5].encodedBytes)
        for node in rest.dropFirst(6)
        where node.identifier == ASN1Identifier(tagWithNumber: 3, tagClass: .contextSpecific) {
            try readExtensions(node)
        }
    }

    private mutating func readExtensions(_ wrapper: ASN1Node) throws {
        guard let sequence = try Self.children(of: wrapper).first else { return }
        for node in try Self.children(of: sequence) {
            let ext = try Certificate.Extension(derEncoded: node)
            guard ext.oid == .X509ExtensionID.subjectAlternativeName else { continue }
            for name in try SubjectAlternativeNames(ext) {
                switch name {
                case .rfc822Name(let email): emailAddresses.append(email)
                case .dnsName(let dns): dnsNames.append(dns)
                case .uniformResourceIdentifier(let uri): uris.append(uri)
                case .ipAddress(let octets): ipAddresses.append(Self.ipText(Array(octets.bytes)))
                default: break
                }
            }
        }
    }

    private static func parseName(_ node: ASN1Node) throws -> [[Attribute]] {
        try children(of: node).map { rdn in
            try children(of: rdn).map { atv in
                let parts = try children(of: atv)
                guard parts.count == 2 else { throw ASN1Error.invalidASN1Object(reason: "bad AttributeTypeAndValue") }
                return Attribute(type: try ASN1ObjectIdentifier(derEncoded: parts[0]),
                                 value: ASN1Strings.decode(parts[1]))
            }
        }
    }

    static func children(of node: ASN1Node) throws -> [ASN1Node] {
        guard case .constructed(let nodes) = node.content else {
            throw ASN1Error.invalidASN1Object(reason: "expected a constructed node")
        }
        return Array(nodes)
    }

    private static func ipText(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        guard bytes.count == 16 else { return bytes.map { String($0, radix: 16) }.joined(separator: ":") }
        var groups: [String] = []
        for i in stride(from: 0, to: 16, by: 2) {
            groups.append(String(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]), radix: 16))
        }
        return groups.joined(separator: ":")
    }
}
