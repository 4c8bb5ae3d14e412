import NATSConfig
import NIOSSL
import XCTest
@testable import StarlingTLS

/// Decoding `tls {}` blocks, with nats-server's error texts at exact positions.
final class SettingsTests: XCTestCase {
    /// Decodes `tls { <body> }` (the body starts on line 2, column 1) and returns the error text.
    private func error(_ body: String, kind: TLSLinkKind? = nil, build: Bool = false) -> String? {
        do {
            let settings = try TestPKI.settings(body)
            if let kind {
                try settings.validate(for: kind)
                if build { _ = try ServerTLS(settings: settings, kind: kind) }
            }
            return nil
        } catch let error as ConfigError {
            return error.description.replacingOccurrences(of: TestPKI.directory, with: "$PKI")
        } catch {
            return "unexpected \(error)"
        }
    }

    func testFullBlock() throws {
        let settings = try TestPKI.settings("""
            cert_file: "$PKI/server.pem"
            key_file: "$PKI/server-key.pem"
            ca_file: "$PKI/ca.pem"
            verify_and_map: true
            cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305]
            curve_preferences: [X25519, CurveP256]
            min_version: "1.3"
            timeout: 3
            handshake_first: auto
            pinned_certs: ["\(String(repeating: "AB", count: 32))"]
            connection_rate_limit: 100
            """)
        XCTAssertTrue(settings.verify)
        XCTAssertTrue(settings.verifyAndMap)
        XCTAssertEqual(settings.certificates.map(\.keyFile), [TestPKI.path("server-key.pem")])
        XCTAssertEqual(settings.certificates.first?.keyPosition, SourcePosition(file: "test.conf", line: 3, column: 1))
        XCTAssertEqual(settings.cipherSuites?.map(\.name),
                       ["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"])
        XCTAssertEqual(settings.curvePreferences, [.x25519, .p256])
        XCTAssertEqual(settings.minimumVersion, .tls13)
        XCTAssertEqual(settings.timeout, .seconds(3))
        XCTAssertEqual(settings.handshakeFirst, .auto(fallback: .milliseconds(50)))
        XCTAssertEqual(settings.pinnedCertificates, [String(repeating: "ab", count: 32)])
        XCTAssertEqual(settings.connectionRateLimit, 100)
        XCTAssertNoThrow(try ServerTLS(settings: settings, kind: .client))
    }

    func testDefaultsAndVariants() throws {
        let empty = try TestPKI.settings("")
        XCTAssertEqual(empty.timeout, .seconds(2))
        XCTAssertEqual(empty.minimumVersion, .tls12)
        XCTAssertEqual(empty.handshakeFirst, .off)
        XCTAssertNil(empty.pinnedCertificates)
        XCTAssertNil(empty.cipherSuites)
        XCTAssertEqual(try TestPKI.settings("timeout: \"1.5s\"").timeout, .milliseconds(1500))
        XCTAssertEqual(try TestPKI.settings("timeout: 0.25").timeout, .milliseconds(250))
        XCTAssertEqual(try TestPKI.settings("timeout: 0").timeout, .seconds(2))
        XCTAssertEqual(try TestPKI.settings("handshake_first: true").handshakeFirst, .on)
        XCTAssertEqual(try TestPKI.settings("first: \"off\"").handshakeFirst, .off)
        XCTAssertEqual(try TestPKI.settings("immediate: \"300ms\"").handshakeFirst, .auto(fallback: .milliseconds(300)))
        XCTAssertNil(try TestPKI.settings("pinned_certs: []").pinnedCertificates)
        XCTAssertTrue(try TestPKI.settings("verify_cert_and_check_known_urls: true").verify)
    }

    func testValueErrorsAtTheirPositions() {
        XCTAssertEqual(error("cipher_suites: [TLS_AES_128_GCM_SHA256, TLS_BOGUS]"),
                       "test.conf:2:41: unrecognized cipher TLS_BOGUS")
        XCTAssertEqual(error("cipher_suites: [\n  TLS_RSA_WITH_RC4_128_SHA\n]"),
                       "test.conf:3:3: cipher suite TLS_RSA_WITH_RC4_128_SHA is not supported by this server's TLS library (BoringSSL)")
        XCTAssertEqual(error("cipher_suites: [TLS_RSA_WITH_3DES_EDE_CBC_SHA]"),
                       "test.conf:2:17: insecure cipher suites configured without 'allow_insecure_cipher_suites' option set: TLS_RSA_WITH_3DES_EDE_CBC_SHA")
        XCTAssertNil(error("cipher_suites: [TLS_RSA_WITH_3DES_EDE_CBC_SHA]\nallow_insecure_cipher_suites: true"))
        XCTAssertEqual(error("cipher_suites: []"), "test.conf:2:16: error parsing tls config, 'cipher_suites' cannot be empty")
        XCTAssertEqual(error("curve_preferences: [X25519, CurveP999]"),
                       "test.conf:2:29: unrecognized curve preference CurveP999")
        XCTAssertEqual(error("curve_preferences: [SecP256r1MLKEM768]"),
                       "test.conf:2:21: curve preference SecP256r1MLKEM768 is not supported by this server's TLS library (BoringSSL)")
        XCTAssertEqual(error("min_version: \"1.1\""), "test.conf:2:14: error parsing tls config: unsupported TLS version: TLS 1.1")
        XCTAssertEqual(error("min_version: \"1.4\""), "test.conf:2:14: error parsing tls config: unknown version: 1.4")
        XCTAssertEqual(error("min_version: 1.2"), "test.conf:2:14: error parsing tls config: 'min_version' wrong type: 1.2")
        XCTAssertEqual(error("timeout: \"soon\""),
                       "test.conf:2:10: error parsing tls config, 'timeout' invalid duration \"soon\"")
        XCTAssertEqual(error("timeout: true"), "test.conf:2:10: error parsing tls config, 'timeout' wrong type")
        XCTAssertEqual(error("verify: \"yes\""), "test.conf:2:9: error parsing tls config, expected 'verify' to be a boolean")
        XCTAssertEqual(error("pinned_certs: [\"abc\"]"),
                       "test.conf:2:16: error parsing tls config, 'pinned_certs' key abc does not look like hex-encoded sha256 of DER encoded SubjectPublicKeyInfo")
        XCTAssertEqual(error("pinned_certs: \"\(String(repeating: "a", count: 64))\""),
                       "test.conf:2:15: error parsing tls config, expected 'pinned_certs' to be a list of hex-encoded sha256 of DER encoded SubjectPublicKeyInfo")
        XCTAssertEqual(error("handshake_first: \"sometimes\""),
                       "test.conf:2:18: field \"handshake_first\"'s value \"sometimes\" is invalid")
        XCTAssertEqual(error("handshake_first: 5"),
                       "test.conf:2:18: field \"handshake_first\" should be a boolean or a string, got integer")
        XCTAssertEqual(error("  colour: blue"), "test.conf:2:3: error parsing tls config, unknown field \"colour\"")
        XCTAssertEqual(error("cert_file: \"a.pem\""), "test.conf:2:1: missing 'key_file' in TLS configuration")
        XCTAssertEqual(error("cert_file: \"a.pem\"\nkey_file: \"b.pem\"\ncerts: []"),
                       "test.conf:4:1: error parsing tls config, cannot combine 'cert_file' option with 'certs' option")
    }

    func testKnownURLsOnlyForRoutesAndGateways() {
        let body = "\n  verify_cert_and_check_known_urls: true"
        for kind in TLSLinkKind.allCases {
            let expected: String? = (kind == .cluster || kind == .gateway)
                ? nil : "test.conf:3:3: verify_cert_and_check_known_urls not supported in this context"
            XCTAssertEqual(error(body, kind: kind), expected, kind.rawValue)
        }
        XCTAssertNil(error("verify_cert_and_check_known_urls: false", kind: .client))
    }

    func testFileErrorsNameTheKey() {
        XCTAssertEqual(error("cert_file: \"$PKI/none.pem\"\nkey_file: \"$PKI/server-key.pem\"", kind: .client, build: true),
                       "test.conf:2:1: cert_file \"$PKI/none.pem\": no such file")
        XCTAssertEqual(error("cert_file: \"$PKI/server.pem\"\n  key_file: \"$PKI/ca.pem\"", kind: .client, build: true),
                       "test.conf:3:3: key_file \"$PKI/ca.pem\": cannot parse PEM private key (RSA, ECDSA or Ed25519)")
        XCTAssertEqual(error("cert_file: \"$PKI/server-key.pem\"\nkey_file: \"$PKI/server-key.pem\"", kind: .client, build: true),
                       "test.conf:2:1: cert_file \"$PKI/server-key.pem\": no PEM certificate found")
        XCTAssertEqual(error("cert_file: \"$PKI/mismatch.pem\"\nkey_file: \"$PKI/mismatch-key.pem\"", kind: .client, build: true),
                       "test.conf:3:1: key_file \"$PKI/mismatch-key.pem\" does not match the certificate in cert_file \"$PKI/mismatch.pem\"")
        XCTAssertEqual(error(TestPKI.serverBlock().replacingOccurrences(of: "ca.pem", with: "server-key.pem"), kind: .client, build: true),
                       "test.conf:4:1: ca_file \"$PKI/server-key.pem\": failed to parse root ca certificate")
        XCTAssertEqual(error("ca_file: \"$PKI/ca.pem\"", kind: .client, build: true),
                       "test.conf:1:5: TLS on this listener needs 'cert_file' and 'key_file' (or 'certs')")
        XCTAssertEqual(error("certs: [{cert_file: \"$PKI/server.pem\"}]"),
                       "test.conf:2:9: error parsing certificates config: both 'cert_file' and 'cert_key' options are required")
    }

    func testEveryKeyTypeLoads() throws {
        for name in ["server", "ecdsa-p256", "ecdsa-p384", "ed25519"] {
            XCTAssertNoThrow(try ServerTLS(settings: TestPKI.settings(TestPKI.serverBlock(name)), kind: .client), name)
        }
    }

    func testCipherTableMatchesBoringSSL() throws {
        // Only supported suites can be tried: NIOSSL stops the process when no suite matches.
        for suite in GoCipherSuite.all where !suite.isTLS13 && suite.isSupported {
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: [], privateKey: .privateKey(
                try NIOSSLPrivateKey(file: TestPKI.path("server-key.pem"), format: .pem)))
            configuration.cipherSuites = suite.name
            let context = try NIOSSLContext(configuration: configuration)
            XCTAssertEqual(context.configuration.cipherSuiteValues.map(\.rawValue), [suite.id], suite.name)
        }
        XCTAssertEqual(GoCipherSuite.goName(forID: 0x1301), "TLS_AES_128_GCM_SHA256")
        XCTAssertEqual(GoCipherSuite.goName(forID: 0xabcd), "Unknown [abcd]")
        XCTAssertEqual(GoCipherSuite.named("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305")?.id, 0xcca9)
        XCTAssertFalse(GoCipherSuite.defaults.contains { $0.isInsecure || $0.isRSAKeyExchange })
    }

    func testFactoryReadsTheNode() throws {
        let root = try ConfigParser.parse(string: """
            cluster {
              tls {
                cert_file: "\(TestPKI.path("server.pem"))"
                key_file: "\(TestPKI.path("server-key.pem"))"
                ca_file: "\(TestPKI.path("ca.pem"))"
                verify_cert_and_check_known_urls: true
              }
            }
            """, fileName: "f.conf")
        let node = try XCTUnwrap(root["cluster"]?["tls"])
        XCTAssertTrue(try TLSContextFactory.server(node, kind: .cluster).requiresClientCertificate)
        XCTAssertNoThrow(try TLSContextFactory.client(node, kind: .cluster))
        XCTAssertThrowsError(try TLSContextFactory.server(node, kind: .leafnode))
    }
}
