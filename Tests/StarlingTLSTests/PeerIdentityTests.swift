import NIOSSL
import XCTest
@testable import StarlingTLS

/// Identity strings as nats-server computes them (Go `pkix.Name.ToRDNSequence().String()`,
/// auth.go `checkClientTLSCertSubject` order), checked against openssl where it can tell.
final class PeerIdentityTests: XCTestCase {
    private func identity(_ name: String) throws -> PeerIdentity {
        try PeerIdentity(derBytes: TestPKI.der(name))
    }

    func testDNOnlyCertificate() throws {
        let peer = try identity("client-dn")
        // openssl prints RFC 2253 in reverse certificate order; for C,ST,L,O,OU,CN that is Go's order too.
        XCTAssertEqual(TestPKI.shell("openssl x509 -in '\(TestPKI.path("client-dn.pem"))' -noout -subject -nameopt RFC2253"),
                       "subject=CN=alice,OU=eng,O=Acme,L=SF,ST=CA,C=US")
        XCTAssertEqual(peer.subject, "CN=alice,OU=eng,O=Acme,L=SF,ST=CA,C=US")
        XCTAssertEqual(peer.subjectName, "CN=alice,OU=eng,O=Acme,L=SF,ST=CA,C=US")
        XCTAssertEqual(peer.mappingCandidates(), ["CN=alice,OU=eng,O=Acme,L=SF,ST=CA,C=US"])
        XCTAssertEqual(peer.mappingSteps(), [.distinguishedName, .exact("CN=alice,OU=eng,O=Acme,L=SF,ST=CA,C=US")])
        XCTAssertTrue(peer.matchesDNExactly("CN=alice,OU=eng,O=Acme,L=SF,ST=CA,C=US"))
        XCTAssertTrue(peer.matchesDN("cn=alice, ou=eng, o=Acme, l=SF, st=CA, c=US"), "types ignore case; spaces trimmed")
        XCTAssertFalse(peer.matchesDNExactly("C=US,ST=CA,L=SF,O=Acme,OU=eng,CN=alice"))
        XCTAssertTrue(peer.matchesDN("C=US,ST=CA,L=SF,O=Acme,OU=eng,CN=alice"), "any RDN order")
        XCTAssertFalse(peer.matchesDN("CN=Alice,OU=eng,O=Acme,L=SF,ST=CA,C=US"), "values are exact")
        XCTAssertFalse(peer.matchesDN("CN=alice,OU=eng,O=Acme"), "all RDNs are needed")
        XCTAssertFalse(peer.matchesDN("CN=#alice"), "BER values are refused")
        XCTAssertTrue(peer.emailAddresses.isEmpty && peer.dnsNames.isEmpty && peer.uris.isEmpty)
    }

    func testSANsComeFirstInNatsServerOrder() throws {
        let peer = try identity("client-email")
        XCTAssertEqual(peer.subject, "CN=bob,O=Acme")
        XCTAssertEqual(peer.mappingSteps(), [
            .exact("bob@example.com"), .exact("bob.example.com"), .exact("spiffe://example.org/ns/acme/bob"),
            .distinguishedName, .exact("CN=bob,O=Acme"),
        ])
        XCTAssertEqual(peer.mapToUser(among: ["CN=bob,O=Acme", "spiffe://example.org/ns/acme/bob"]),
                       "spiffe://example.org/ns/acme/bob")
        XCTAssertEqual(peer.mapToUser(among: ["O=Acme,CN=bob", "CN=bob,O=Acme"]), "CN=bob,O=Acme",
                       "an exact DN match wins over a reordered one")
        XCTAssertEqual(peer.mapToUser(among: ["O=Acme,CN=bob"]), "O=Acme,CN=bob")
        XCTAssertNil(peer.mapToUser(among: ["bob"]))

        let dns = try identity("client-dns")
        XCTAssertEqual(dns.mappingCandidates(), ["node1.example.com", "*.nodes.example.com", "CN=node1"])
        XCTAssertTrue(dns.matchesKnownHost(in: ["NODE1.example.com"]))
        XCTAssertTrue(dns.matchesKnownHost(in: ["b.nodes.example.com"]))
        XCTAssertFalse(dns.matchesKnownHost(in: ["a.b.nodes.example.com", "nodes.example.com", "node2.example.com"]))
    }

    func testDomainComponentsRepeatedValuesAndSerialNumber() throws {
        let peer = try identity("client-dc")
        XCTAssertEqual(TestPKI.shell("openssl x509 -in '\(TestPKI.path("client-dc.pem"))' -noout -subject -nameopt RFC2253"),
                       "subject=serialNumber=1234,CN=carol,OU=dev,OU=ops,O=Acme,DC=example,DC=com")
        // Go regroups: both OUs in one RDN (certificate order), DCs left out.
        XCTAssertEqual(peer.subject, "SERIALNUMBER=1234,CN=carol,OU=ops+OU=dev,O=Acme")
        XCTAssertEqual(peer.domainComponents, ["com", "example"])
        XCTAssertEqual(peer.mappingCandidates(), [
            "SERIALNUMBER=1234,CN=carol,OU=ops+OU=dev,O=Acme,DC=com,DC=example",
            "SERIALNUMBER=1234,CN=carol,OU=ops+OU=dev,O=Acme",
        ])
        XCTAssertEqual(peer.certificateOrderDN?.description, "SERIALNUMBER=1234,CN=carol,OU=dev,OU=ops,O=Acme,DC=example,DC=com")
        XCTAssertTrue(peer.matchesDNExactly("serialNumber=1234,CN=carol,OU=dev,OU=ops,O=Acme,DC=example,DC=com"))
        XCTAssertEqual(peer.subjectName,
                       "0.9.2342.19200300.100.1.25=#13076578616d706c65,0.9.2342.19200300.100.1.25=#1303636f6d,"
                       + "SERIALNUMBER=1234,CN=carol,OU=ops+OU=dev,O=Acme")
    }

    func testEscapingAndMultiValuedRDN() throws {
        let peer = try identity("client-multi")
        let openssl = TestPKI.shell("openssl x509 -in '\(TestPKI.path("client-multi.pem"))' -noout -subject -nameopt RFC2253")
        XCTAssertEqual(openssl, ##"subject=CN=\#Doe\, John \<j\;k\> \"q\"\\\ ,CN=dave+OU=a,O=Acme,C=US"##)
        // Go keeps the last CN only and escapes the first '#' and the trailing space.
        XCTAssertEqual(peer.subject, ##"CN=\#Doe\, John \<j\;k\> \"q\"\\\ ,OU=a,O=Acme,C=US"##)
        XCTAssertTrue(peer.matchesDNExactly(String(openssl.dropFirst("subject=".count))))
        XCTAssertTrue(peer.matchesDN(##"C=US,O=Acme,OU=a+CN=dave,CN=\#Doe\2C John \<j\;k\> \"q\"\\\ "##))
    }

    func testAttributesOutsideTheLDAPTableSkipTheDNStep() throws {
        let peer = try identity("client-email-attr")
        XCTAssertNil(peer.certificateOrderDN)
        XCTAssertEqual(peer.mappingSteps(), [.exact("CN=erin")])
        XCTAssertFalse(peer.matchesDN("CN=erin"))
        XCTAssertEqual(peer.subjectName, "1.2.840.113549.1.9.1=#0c10" + GoSubjectName.hex(Array("erin@example.com".utf8))
            + ",CN=erin")
    }

    func testFingerprintsMatchOpenSSL() throws {
        for name in ["client-dn", "server", "ecdsa-p256", "ecdsa-p384", "ed25519"] {
            let peer = try identity(name)
            let pem = TestPKI.path(name + ".pem")
            let spki = TestPKI.shell("openssl x509 -in '\(pem)' -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1")
            let cert = TestPKI.shell("openssl x509 -in '\(pem)' -outform DER | sha256sum | cut -d' ' -f1")
            XCTAssertEqual(peer.spkiSHA256, spki, name)
            XCTAssertEqual(peer.certificateSHA256, cert, name)
            XCTAssertEqual(peer.spkiSHA256.count, 64)
            let viaNIOSSL = try PeerIdentity(certificate: NIOSSLCertificate.fromPEMFile(pem)[0])
            XCTAssertEqual(viaNIOSSL, peer)
        }
    }

    func testLDAPParserQuirks() throws {
        XCTAssertEqual(try LDAPDistinguishedName(parsing: " CN = a b  , O=x\\41 ").rdns,
                       [[.init(type: "CN", value: "a b")], [.init(type: "O", value: "xA")]])
        XCTAssertEqual(try LDAPDistinguishedName(parsing: "CN=a\\ ").rdns, [[.init(type: "CN", value: "a ")]])
        XCTAssertEqual(try LDAPDistinguishedName(parsing: "OU=a+CN=b,C=US").rdns.map(\.count), [2, 1])
        XCTAssertThrowsError(try LDAPDistinguishedName(parsing: "CN=#04"))
        XCTAssertThrowsError(try LDAPDistinguishedName(parsing: "=a,"))
        XCTAssertThrowsError(try LDAPDistinguishedName(parsing: "abc"))
        XCTAssertEqual(try LDAPDistinguishedName(parsing: "CN=a\\").rdns, [[.init(type: "CN", value: "a")]],
                       "go-ldap ignores a trailing backslash")
        XCTAssertThrowsError(try LDAPDistinguishedName(parsing: "CN=a\\zz"))
    }
}
