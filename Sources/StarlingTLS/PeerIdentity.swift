import Crypto
import NIOSSL
import SwiftASN1

/// What a peer's leaf certificate says about who it is, computed the way nats-server does for
/// `verify_and_map`, `pinned_certs`, `verify_cert_and_check_known_urls` and `/connz`.
///
/// Only the leaf certificate is used (Go's `PeerCertificates[0]`).
public struct PeerIdentity: Sendable, Equatable {
    /// The certificate's DER bytes.
    public let derBytes: [UInt8]
    /// Go's `cert.Subject.ToRDNSequence().String()`: `SERIALNUMBER,CN,OU,O,POSTALCODE,STREET,L,ST,C`,
    /// repeated values joined by `+` in one RDN, RFC 2253 escaping, no DC or emailAddress.
    /// Example: `CN=alice,OU=eng,O=Acme,L=SF,ST=CA,C=US`.
    public let subject: String
    /// Go's `cert.Subject.String()`, the `subject` of `/connz`'s `tls_peer_certs`: ``subject``
    /// preceded by other string attributes as `OID=#hex` (for example emailAddress and DC).
    public let subjectName: String
    /// The subject in certificate order, as nats-server's `ldap.FromRawCertSubject` reads it
    /// (last RDN first), or `nil` when an attribute type is not one of CN, SERIALNUMBER, C, L,
    /// ST, STREET, O, OU, POSTALCODE, DC (then the DN-equality step is skipped, as in Go).
    public let certificateOrderDN: LDAPDistinguishedName?
    /// The subject's domainComponent values in certificate order.
    public let domainComponents: [String]
    /// rfc822Name SANs, in certificate order.
    public let emailAddresses: [String]
    /// dNSName SANs, in certificate order.
    public let dnsNames: [String]
    /// uniformResourceIdentifier SANs, in certificate order, as written in the certificate.
    public let uris: [String]
    /// iPAddress SANs as text (never used for mapping).
    public let ipAddresses: [String]
    /// Lowercase hex SHA-256 of the DER SubjectPublicKeyInfo: the `pinned_certs` key, and
    /// `spki_sha256` in `/connz`. Same as
    /// `openssl x509 -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum`.
    public let spkiSHA256: String
    /// Lowercase hex SHA-256 of the whole certificate DER (`cert_sha256` in `/connz`).
    public let certificateSHA256: String
    /// Whether the subject has at least one attribute (Go: `len(cert.Subject.String()) > 0`).
    public let hasSubject: Bool

    /// Reads a DER certificate.
    /// - Throws: an ASN.1 or X.509 error when the bytes are not a certificate.
    public init(derBytes: [UInt8]) throws {
        let fields = try CertificateFields(derBytes: derBytes)
        self.derBytes = derBytes
        subject = GoSubjectName.rdnString(fields.subject)
        subjectName = GoSubjectName.nameString(fields.subject)
        certificateOrderDN = Self.ldapDN(fields.subject)
        domainComponents = fields.subject.flatMap { rdn in
            rdn.filter { $0.type == Self.domainComponentOID }.compactMap(\.value)
        }
        emailAddresses = fields.emailAddresses
        dnsNames = fields.dnsNames
        uris = fields.uris
        ipAddresses = fields.ipAddresses
        spkiSHA256 = GoSubjectName.hex(SHA256.hash(data: fields.subjectPublicKeyInfo))
        certificateSHA256 = GoSubjectName.hex(SHA256.hash(data: derBytes))
        hasSubject = fields.subject.contains { !$0.isEmpty }
    }

    /// Reads the certificate NIOSSL reports for the peer.
    /// - Throws: when the certificate cannot be encoded or parsed.
    public init(certificate: NIOSSLCertificate) throws {
        try self.init(derBytes: certificate.toDERBytes())
    }

    /// One step of nats-server's certificate → user mapping (auth.go `checkClientTLSCertSubject`).
    public enum MappingStep: Sendable, Equatable {
        /// Look this exact string up as a user name.
        case exact(String)
        /// Compare ``certificateOrderDN`` with every user name parsed as a DN (client,
        /// websocket and MQTT listeners only): first ``matchesDNExactly(_:)`` for every user,
        /// then ``matchesDN(_:)`` for every user.
        case distinguishedName
    }

    /// The mapping steps in nats-server's order: every email SAN, every DNS SAN, every URI SAN,
    /// the DN comparison (when the subject parses as an LDAP DN), `subject + "," + "DC=a,DC=b"`
    /// (when the subject has DCs), then ``subject``. Empty when the certificate has no SAN and
    /// no subject attribute.
    public func mappingSteps() -> [MappingStep] {
        guard hasSubject || !emailAddresses.isEmpty || !dnsNames.isEmpty || !uris.isEmpty else { return [] }
        var steps = (emailAddresses + dnsNames + uris).map(MappingStep.exact)
        if certificateOrderDN != nil { steps.append(.distinguishedName) }
        if !domainComponents.isEmpty {
            let dcs = domainComponents.map { "DC=" + $0 }.joined(separator: ",")
            steps.append(.exact(subject + "," + dcs))
        }
        if !subject.isEmpty { steps.append(.exact(subject)) }
        return steps
    }

    /// The exact strings of the mapping (§3.3 steps 1, 3 and 4) in the order nats-server tries
    /// them; the DN comparison of step 2 comes between the SANs and the subject strings (see
    /// ``mappingSteps()``). Route and gateway `verify_and_map` and leaf-node users use only these.
    public func mappingCandidates() -> [String] {
        mappingSteps().compactMap {
            if case .exact(let name) = $0 { return name }
            return nil
        }
    }

    /// Step 2: whether `configuredName`, parsed as an RFC 4514 DN, has the same RDNs as the
    /// certificate's subject in any order (attribute types case-insensitive, values exact).
    public func matchesDN(_ configuredName: String) -> Bool {
        guard let (configured, certificate) = dnPair(configuredName) else { return false }
        return configured.isEqual(to: certificate) || configured.rdnsMatch(certificate)
    }

    /// The first pass of step 2: the same RDNs in the same order.
    public func matchesDNExactly(_ configuredName: String) -> Bool {
        guard let (configured, certificate) = dnPair(configuredName) else { return false }
        return configured.isEqual(to: certificate)
    }

    /// nats-server's whole mapping for a client-kind listener: returns the first of `userNames`
    /// (already filtered by `allowed_connection_types`) that the certificate maps to, trying
    /// the steps of ``mappingSteps()`` in order. Go walks its user map in random order in the
    /// DN step; this walks `userNames` in the given order.
    public func mapToUser(among userNames: [String]) -> String? {
        let names = Set(userNames)
        for step in mappingSteps() {
            switch step {
            case .exact(let candidate):
                if names.contains(candidate) { return candidate }
            case .distinguishedName:
                if let user = userNames.first(where: matchesDNExactly) { return user }
                if let user = userNames.first(where: matchesDN) { return user }
            }
        }
        return nil
    }

    /// `verify_cert_and_check_known_urls`: whether one of the DNS SANs matches one of `hosts`
    /// (the host names of configured route or gateway URLs) per RFC 6125: case-insensitive,
    /// same number of labels, `*` only as the whole left-most label.
    public func matchesKnownHost(in hosts: [String]) -> Bool {
        dnsNames.contains { name in hosts.contains { Self.dnsName(name, matchesHost: $0) } }
    }

    /// RFC 6125 §6.4 matching as nats-server's `dnsAltNameMatches` does it.
    public static func dnsName(_ dnsName: String, matchesHost host: String) -> Bool {
        let pattern = dnsName.lowercased().split(separator: ".", omittingEmptySubsequences: false)
        let labels = host.lowercased().split(separator: ".", omittingEmptySubsequences: false)
        guard pattern.count == labels.count else { return false }
        let start = pattern.first == "*" ? 1 : 0
        return pattern.indices.dropFirst(start).allSatisfy { pattern[$0] == labels[$0] }
    }

    private func dnPair(_ configuredName: String) -> (LDAPDistinguishedName, LDAPDistinguishedName)? {
        guard hasSubject || !emailAddresses.isEmpty || !dnsNames.isEmpty || !uris.isEmpty,
              let certificate = certificateOrderDN,
              let configured = try? LDAPDistinguishedName(parsing: configuredName) else { return nil }
        return (configured, certificate)
    }

    private static let domainComponentOID: ASN1ObjectIdentifier = [0, 9, 2342, 19_200_300, 100, 1, 25]

    /// The LDAP type names nats-server's `internal/ldap` knows.
    private static let ldapTypeNames: [ASN1ObjectIdentifier: String] = [
        [2, 5, 4, 3]: "CN", [2, 5, 4, 5]: "SERIALNUMBER", [2, 5, 4, 6]: "C", [2, 5, 4, 7]: "L",
        [2, 5, 4, 8]: "ST", [2, 5, 4, 9]: "STREET", [2, 5, 4, 10]: "O", [2, 5, 4, 11]: "OU",
        [2, 5, 4, 17]: "POSTALCODE", domainComponentOID: "DC",
    ]

    /// `ldap.FromRawCertSubject`: RDNs and their attributes reversed; fails (nil) on an unknown
    /// type or a non-string value.
    private static func ldapDN(_ subject: [[CertificateFields.Attribute]]) -> LDAPDistinguishedName? {
        var rdns: [[LDAPDistinguishedName.Attribute]] = []
        for rdn in subject.reversed() where !rdn.isEmpty {
            var attributes: [LDAPDistinguishedName.Attribute] = []
            for atv in rdn.reversed() {
                guard let type = ldapTypeNames[atv.type], let value = atv.value else { return nil }
                attributes.append(.init(type: type, value: value))
            }
            rdns.append(attributes)
        }
        return LDAPDistinguishedName(rdns: rdns)
    }
}
