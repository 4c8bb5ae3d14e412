import NIOCore
import NIOSSL
import XCTest
@testable import StarlingTLS

/// Real NIO TLS servers and clients over 127.0.0.1 with contexts from the factory.
final class HandshakeTests: XCTestCase {
    private func verifyingServer(_ extra: String = "", cert: String = "server") throws -> ServerTLS {
        try ServerTLS(settings: TestPKI.settings(TestPKI.serverBlock(cert, extra: "verify: true\n" + extra)), kind: .client)
    }

    private func clientTLS(_ cert: String?, extra: String = "", kind: TLSLinkKind = .leafnodeRemote) throws -> ClientTLS {
        var body = "ca_file: \"$PKI/ca.pem\"\n" + extra
        if let cert { body += "\ncert_file: \"$PKI/\(cert).pem\"\nkey_file: \"$PKI/\(cert)-key.pem\"" }
        return try ClientTLS(settings: TestPKI.settings(body), kind: kind)
    }

    func testGoodClientCertificateIsAcceptedAndIdentified() async throws {
        let run = try await Harness.handshake(server: verifyingServer(), client: Harness.client(clientTLS("client-dn")))
        let info = try XCTUnwrap(run.server.info, "server: \(run.server)")
        XCTAssertEqual(info.peer?.subject, "CN=alice,OU=eng,O=Acme,L=SF,ST=CA,C=US")
        XCTAssertEqual(info.version, "1.3")
        XCTAssertTrue(["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]
            .contains(info.cipherSuite), info.cipherSuite)
        let clientInfo = try XCTUnwrap(run.client.info, "client: \(run.client)")
        XCTAssertEqual(clientInfo.cipherSuite, info.cipherSuite, "both sides read the same ServerHello")
        XCTAssertEqual(clientInfo.peer?.dnsNames, ["localhost"])
        XCTAssertEqual(clientInfo.peer?.ipAddresses, ["127.0.0.1"])
        XCTAssertTrue(run.echoed, "data flows after the handshake")
        XCTAssertFalse(run.serverPipeline.contains("TLSHandshakeGate"), run.serverPipeline)
        XCTAssertFalse(run.serverPipeline.contains("ServerHelloSniffer"), run.serverPipeline)
        XCTAssertTrue(run.serverPipeline.contains("NIOSSLServerHandler"), run.serverPipeline)
    }

    func testClientWithoutCertificateIsRefusedWhenVerifying() async throws {
        let run = try await Harness.handshake(server: verifyingServer(), client: Harness.client(clientTLS(nil)))
        XCTAssertNotNil(run.server.failure)
        XCTAssertFalse(run.echoed)
    }

    func testUnrelatedExpiredAndNotYetValidCertificatesAreRefused() async throws {
        for name in ["other-client", "expired", "notyet"] {
            let run = try await Harness.handshake(server: verifyingServer(), client: Harness.rawClient(certificate: name))
            let failure = try XCTUnwrap(run.server.failure, "\(name) was accepted")
            XCTAssertTrue(failure.contains("handshakeFailed"), "\(name): \(failure)")
            XCTAssertFalse(run.echoed, name)
        }
    }

    func testWithoutVerifyNoClientCertificateIsAsked() async throws {
        let server = try ServerTLS(settings: TestPKI.settings(TestPKI.serverBlock()), kind: .client)
        XCTAssertFalse(server.requiresClientCertificate)
        let run = try await Harness.handshake(server: server, client: Harness.client(clientTLS("client-dn")))
        XCTAssertTrue(run.echoed)
        XCTAssertNotNil(run.server.info)
        XCTAssertNil(run.server.info?.peer, "no certificate was requested")
    }

    func testRoutesAlwaysRequireAClientCertificate() async throws {
        let server = try ServerTLS(settings: TestPKI.settings(TestPKI.serverBlock()), kind: .cluster)
        XCTAssertTrue(server.requiresClientCertificate)
        let refused = try await Harness.handshake(server: server, client: Harness.client(clientTLS(nil, kind: .cluster)))
        XCTAssertNotNil(refused.server.failure)
        let accepted = try await Harness.handshake(server: server, client: Harness.client(clientTLS("server", kind: .cluster)))
        XCTAssertEqual(accepted.server.info?.peer?.subject, "CN=localhost")
        XCTAssertTrue(accepted.echoed)
    }

    func testPinnedCertsAcceptOnlyPinnedLeaves() async throws {
        let pin = try PeerIdentity(derBytes: TestPKI.der("client-dn")).spkiSHA256
        let server = try verifyingServer("pinned_certs: [\"\(pin.uppercased())\"]")
        let pinned = try await Harness.handshake(server: server, client: Harness.client(clientTLS("client-dn")))
        XCTAssertTrue(pinned.echoed, "server: \(pinned.server)")
        let other = try await Harness.handshake(server: server, client: Harness.client(clientTLS("client-email")))
        let otherSPKI = try PeerIdentity(derBytes: TestPKI.der("client-email")).spkiSHA256
        XCTAssertEqual(other.server.failure,
                       String(describing: TLSLinkError.certificateNotPinned(spkiSHA256: otherSPKI)))
        XCTAssertFalse(other.echoed)
    }

    func testPinnedCertsWithoutVerifyRefuseEveryone() async throws {
        let pin = try PeerIdentity(derBytes: TestPKI.der("client-dn")).spkiSHA256
        let server = try ServerTLS(settings: TestPKI.settings(TestPKI.serverBlock(extra: "pinned_certs: [\"\(pin)\"]")),
                                   kind: .client)
        XCTAssertEqual(server.warnings.count, 1)
        let run = try await Harness.handshake(server: server, client: Harness.client(clientTLS("client-dn")))
        XCTAssertEqual(run.server.failure, String(describing: TLSLinkError.certificateNotPinned(spkiSHA256: nil)))
    }

    func testSolicitingSidePinsTheServerCertificate() async throws {
        let server = try ServerTLS(settings: TestPKI.settings(TestPKI.serverBlock()), kind: .client)
        let serverPin = try PeerIdentity(derBytes: TestPKI.der("server")).spkiSHA256
        let good = try await Harness.handshake(server: server,
                                               client: Harness.client(clientTLS(nil, extra: "pinned_certs: [\"\(serverPin)\"]")))
        XCTAssertTrue(good.echoed)
        let wrong = String(repeating: "ab", count: 32)
        let bad = try await Harness.handshake(server: server,
                                              client: Harness.client(clientTLS(nil, extra: "pinned_certs: [\"\(wrong)\"]")))
        XCTAssertEqual(bad.client.failure, String(describing: TLSLinkError.certificateNotPinned(spkiSHA256: serverPin)))
    }

    func testHostNameVerificationAndInsecure() async throws {
        let server = try ServerTLS(settings: TestPKI.settings(TestPKI.serverBlock()), kind: .client)
        let byIP = try await Harness.handshake(server: server, client: Harness.client(clientTLS(nil), host: "127.0.0.1"))
        XCTAssertTrue(byIP.echoed, "IP SAN 127.0.0.1 matches: \(byIP.client)")
        // NIOSSL also accepts an IP SAN equal to the connected address, whatever the expected name;
        // on 127.0.0.2 only the DNS SAN "localhost" can match.
        let wrongName = try await Harness.handshake(server: server, host: "127.0.0.2",
                                                    client: Harness.client(clientTLS(nil), host: "wrong.example"))
        XCTAssertNotNil(wrongName.client.failure)
        let rightName = try await Harness.handshake(server: server, host: "127.0.0.2",
                                                    client: Harness.client(clientTLS(nil), host: "localhost"))
        XCTAssertTrue(rightName.echoed, "\(rightName.client)")
        let sameIP = try await Harness.handshake(server: server, client: Harness.client(clientTLS(nil), host: "wrong.example"))
        XCTAssertTrue(sameIP.echoed, "NIOSSL: the IP SAN matches the connected address")
        let untrusted = try ClientTLS(settings: TestPKI.settings("ca_file: \"$PKI/other-ca.pem\""), kind: .leafnodeRemote)
        let refused = try await Harness.handshake(server: server, client: Harness.client(untrusted))
        XCTAssertNotNil(refused.client.failure)
        let insecure = try ClientTLS(settings: TestPKI.settings("ca_file: \"$PKI/other-ca.pem\"\ninsecure: true"),
                                     kind: .leafnodeRemote)
        let accepted = try await Harness.handshake(server: server, client: Harness.client(insecure, host: "wrong.example"))
        XCTAssertTrue(accepted.echoed)
    }

    func testCipherSuitesRestrictTLS12() async throws {
        let server = try verifyingServer("""
            cipher_suites: ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"]
            """)
        let other = try await Harness.handshake(server: server, client: Harness.rawClient(
            certificate: "client-dn", maximumVersion: .tlsv12,
            cipherSuites: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"))
        XCTAssertNotNil(other.server.failure)
        XCTAssertFalse(other.echoed)
        let same = try await Harness.handshake(server: server, client: Harness.rawClient(
            certificate: "client-dn", maximumVersion: .tlsv12,
            cipherSuites: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"))
        XCTAssertEqual(same.server.info?.version, "1.2")
        XCTAssertEqual(same.server.info?.cipherSuite, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")
        XCTAssertTrue(same.echoed)
    }

    func testMinVersion13RefusesTLS12Clients() async throws {
        let server = try verifyingServer("min_version: \"1.3\"")
        let old = try await Harness.handshake(server: server,
                                              client: Harness.rawClient(certificate: "client-dn", maximumVersion: .tlsv12))
        XCTAssertNotNil(old.server.failure)
        let new = try await Harness.handshake(server: server, client: Harness.rawClient(certificate: "client-dn"))
        XCTAssertEqual(new.server.info?.version, "1.3")
    }

    func testDefaultMinimumIsTLS12() async throws {
        let run = try await Harness.handshake(server: verifyingServer(),
                                              client: Harness.rawClient(certificate: "client-dn", maximumVersion: .tlsv12))
        XCTAssertEqual(run.server.info?.version, "1.2")
        XCTAssertEqual(run.server.info?.cipherSuite, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
        let tls11 = try await Harness.handshake(server: verifyingServer(),
                                                client: Harness.rawClient(certificate: "client-dn", maximumVersion: .tlsv11))
        XCTAssertNotNil(tls11.server.failure)
    }

    func testCurvePreferences() async throws {
        let server = try verifyingServer("curve_preferences: [CurveP384]")
        let run = try await Harness.handshake(server: server, client: Harness.client(clientTLS("client-dn")))
        XCTAssertTrue(run.echoed, "\(run.server)")
        let clientX25519 = try clientTLS("client-dn", extra: "curve_preferences: [X25519]")
        let refused = try await Harness.handshake(server: server, client: Harness.client(clientX25519))
        XCTAssertNotNil(refused.server.failure)
    }

    func testECDSAAndEd25519Keys() async throws {
        for name in ["ecdsa-p256", "ecdsa-p384", "ed25519"] {
            let server = try verifyingServer(cert: name)
            let tls13 = try await Harness.handshake(server: server, client: Harness.client(clientTLS(name)))
            XCTAssertTrue(tls13.echoed, "\(name): server \(tls13.server) client \(tls13.client)")
            XCTAssertEqual(tls13.server.info?.peer?.subject, "CN=\(name)")
            // A BoringSSL client must be told to accept Ed25519 signatures (Go clients do by default).
            let tls12 = try await Harness.handshake(server: server, client: Harness.rawClient(
                certificate: name, maximumVersion: .tlsv12, acceptEd25519: true))
            XCTAssertTrue(tls12.echoed, "\(name) TLS 1.2: server \(tls12.server) client \(tls12.client)")
        }
        let ecdsa12 = try await Harness.handshake(server: verifyingServer(cert: "ecdsa-p256"), client: Harness.rawClient(
            certificate: "client-dn", maximumVersion: .tlsv12))
        XCTAssertEqual(ecdsa12.server.info?.cipherSuite, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
    }

    func testSeveralCertificatesAreChosenBySNI() async throws {
        let settings = try TestPKI.settings("""
            certs: [
              {cert_file: "$PKI/ecdsa-p256.pem", key_file: "$PKI/ecdsa-p256-key.pem"},
              {cert_file: "$PKI/client-dns.pem", key_file: "$PKI/client-dns-key.pem"},
            ]
            """)
        let server = try ServerTLS(settings: settings, kind: .client)
        let insecure = try ClientTLS(settings: TestPKI.settings("insecure: true"), kind: .leafnodeRemote)
        let byName = try await Harness.handshake(server: server, client: Harness.client(insecure, host: "x.nodes.example.com"))
        XCTAssertEqual(byName.client.info?.peer?.subject, "CN=node1")
        let fallback = try await Harness.handshake(server: server, client: Harness.client(insecure, host: "localhost"))
        XCTAssertEqual(fallback.client.info?.peer?.subject, "CN=ecdsa-p256")
    }

    func testHandshakeTimeout() async throws {
        let server = try verifyingServer("timeout: \"200ms\"")
        XCTAssertEqual(server.handshakeTimeout, .milliseconds(200))
        let started = ContinuousClock.now
        let run = try await Harness.handshake(server: server, client: { [] })
        XCTAssertEqual(run.server.failure, String(describing: TLSLinkError.handshakeTimeout))
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(3))
    }
}
