import Foundation
@testable import NATSClient
import NATSKeys
import XCTest

/// What CONNECT carries for NKeys and creds files, and creds against Go nats-server in
/// operator mode (skipped when no nats-server is installed).
final class CredentialsTests: XCTestCase {
    private func json(_ payload: ConnectPayload) throws -> [String: Any] {
        let line = try payload.line()
        XCTAssertTrue(line.hasPrefix("CONNECT {") && line.hasSuffix("}\r\n"))
        let body = line.dropFirst("CONNECT ".count).dropLast()  // "\r\n" is one Character
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    }

    func testNKeyConnectCarriesPublicKeyAndNonceSignature() throws {
        let user = try KeyPair.generate(.user)
        var options = NATSClientOptions()
        options.nkeySeed = user.seed
        let credentials = try XCTUnwrap(try ClientCredentials.resolve(options))
        let fields = try json(ConnectPayload(options: options, tls: false, credentials: credentials, nonce: "abcdefghijklmno"))
        XCTAssertEqual(fields["nkey"] as? String, user.publicKeyString)
        XCTAssertNil(fields["jwt"])
        let sig = try XCTUnwrap(fields["sig"] as? String)
        XCTAssertFalse(sig.contains("=") || sig.contains("+") || sig.contains("/"), "raw URL-safe base64")
        XCTAssertTrue(NKeyAuth.verify(nonce: "abcdefghijklmno", signature: sig, publicKey: user.publicKeyString))
        XCTAssertEqual(fields["tls_required"] as? Bool, false)
    }

    func testCredsConnectCarriesJWTAndSignatureButNoNKey() throws {
        let (creds, user, _) = try makeUser(name: "creds-unit")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("unit-\(UUID().uuidString).creds")
        try creds.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var options = NATSClientOptions()
        options.credentialsFile = file.path
        let credentials = try XCTUnwrap(try ClientCredentials.resolve(options))
        let fields = try json(ConnectPayload(options: options, tls: true, credentials: credentials, nonce: "nonce-1"))
        XCTAssertEqual(fields["jwt"] as? String, Credentials.parseJWT(creds))
        XCTAssertNil(fields["nkey"], "nats.go sends no nkey with a JWT")
        let sig = try XCTUnwrap(fields["sig"] as? String)
        XCTAssertTrue(NKeyAuth.verify(nonce: "nonce-1", signature: sig, publicKey: user.publicKeyString))
        XCTAssertEqual(fields["tls_required"] as? Bool, true)

        options.nkey = user
        XCTAssertThrowsError(try ClientCredentials.resolve(options)) { error in
            XCTAssertEqual(error as? NATSError, .invalidCredentials("a creds file and an NKey cannot be used together"))
        }
        options.nkey = nil
        options.credentialsFile = "/nonexistent.creds"
        XCTAssertThrowsError(try ClientCredentials.resolve(options))
    }

    func testPlainConnectHasNoAuthFields() throws {
        var options = NATSClientOptions()
        options.user = "u"
        options.password = "p"
        let fields = try json(ConnectPayload(options: options, tls: false, credentials: nil, nonce: "x"))
        XCTAssertEqual(fields["user"] as? String, "u")
        XCTAssertEqual(fields["pass"] as? String, "p")
        XCTAssertNil(fields["sig"])
        XCTAssertNil(fields["nkey"])
        XCTAssertNil(fields["jwt"])
    }

    func testCredsAgainstNatsServerInOperatorMode() async throws {
        guard let binary = Executables.natsServer() else { throw XCTSkip("nats-server is not installed") }
        let operatorKey = try KeyPair.generate(.operator)
        let account = try KeyPair.generate(.account)
        let op = try OperatorClaims(subject: operatorKey.publicKeyString, name: "test-operator").encode(signer: operatorKey)
        let accountJWT = try AccountClaims(subject: account.publicKeyString, name: "A").encode(signer: operatorKey)
        let config = """
            operator: "\(op)"
            resolver: MEMORY
            resolver_preload: {
              \(account.publicKeyString): "\(accountJWT)"
            }
            """
        let server = try ServerProcess(executable: binary.path, config: config)
        defer { server.stop() }

        let (creds, _, _) = try makeUser(name: "alice", account: account)
        let good = server.directory.appendingPathComponent("alice.creds")
        try creds.write(to: good, atomically: true, encoding: .utf8)
        var options = try NATSClientOptions(url: server.url)
        options.credentialsFile = good.path
        // Succeeds only with a valid signature of the nonce (a later INFO update may carry none).
        let nc = try await NATSConnection.connect(options)
        try await nc.flush()
        await nc.close()

        // A user signed by an account the server does not know.
        let (strangerCreds, _, _) = try makeUser(name: "mallory", account: try KeyPair.generate(.account))
        let bad = server.directory.appendingPathComponent("mallory.creds")
        try strangerCreds.write(to: bad, atomically: true, encoding: .utf8)
        options.credentialsFile = bad.path
        do {
            _ = try await NATSConnection.connect(options)
            XCTFail("expected an authorization violation")
        } catch let error as NATSError {
            XCTAssertEqual(error, .authorizationViolation("Authorization Violation"))
        }
    }

    /// A creds file for a new user signed by `account` (a new one when nil).
    private func makeUser(name: String, account: KeyPair? = nil) throws -> (creds: String, user: KeyPair, account: KeyPair) {
        let account = try account ?? KeyPair.generate(.account)
        let user = try KeyPair.generate(.user)
        let jwt = try UserClaims(subject: user.publicKeyString, name: name).encode(signer: account)
        return (Credentials.format(jwt: jwt, seed: user.seed), user, account)
    }
}
