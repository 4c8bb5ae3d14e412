import NATSClient
import NATSKeys
import Starling
import XCTest

/// Authentication against an in-process Starling: NKeys, tokens, users, permissions.
final class AuthTests: XCTestCase {
    private func assertAuthorizationViolation(_ body: () async throws -> NATSConnection,
                                              file: StaticString = #filePath, line: UInt = #line) async {
        do {
            let nc = try await body()
            await nc.close()
            XCTFail("expected the connection to be refused", file: file, line: line)
        } catch let error as NATSError {
            XCTAssertEqual(error, .authorizationViolation("Authorization Violation"), file: file, line: line)
            XCTAssertEqual("\(error)", "authentication failed: Authorization Violation", file: file, line: line)
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
    }

    func testNKeyWithTheRightSeedConnects() async throws {
        let user = try KeyPair.generate(.user)
        let server = try TestServer { options in
            var config = UserConfig()
            config.nkey = user.publicKeyString
            options.auth.users = [config]
        }
        defer { server.stop() }

        let byPair = try await server.connect { $0.nkey = user }
        _ = try await byPair.subscribe(to: "echo") { _ in }
        try byPair.publish(subject: "echo", payload: [1])
        try await byPair.flush()
        XCTAssertNil(byPair.lastError)
        await byPair.close()

        let bySeed = try await server.connect { $0.nkeySeed = user.seed }
        await bySeed.close()

        let seedFile = "# my key\n-----BEGIN USER NKEY SEED-----\n\(user.seed)\n------END USER NKEY SEED------\n"
        let byFile = try await server.connect { $0.nkeySeed = seedFile }
        await byFile.close()
    }

    func testNKeyWithAnotherSeedIsRefused() async throws {
        let user = try KeyPair.generate(.user)
        let stranger = try KeyPair.generate(.user)
        let server = try TestServer { options in
            var config = UserConfig()
            config.nkey = user.publicKeyString
            options.auth.users = [config]
        }
        defer { server.stop() }
        await assertAuthorizationViolation { try await server.connect { $0.nkey = stranger } }
        await assertAuthorizationViolation { try await server.connect() }
    }

    func testInvalidSeedFailsBeforeConnecting() async throws {
        do {
            _ = try await NATSConnection.connect({
                var o = NATSClientOptions()
                o.port = 1
                o.nkeySeed = "SUNOTASEED"
                return o
            }())
            XCTFail("expected an error")
        } catch let error as NATSError {
            guard case .invalidCredentials = error else { return XCTFail("unexpected \(error)") }
        }
    }

    func testToken() async throws {
        let server = try TestServer { $0.auth.token = "s3cret" }
        defer { server.stop() }
        let nc = try await server.connect { $0.token = "s3cret" }
        await nc.close()
        let viaURL = try await NATSConnection.connect(url: "nats://s3cret@127.0.0.1:\(server.port)")
        await viaURL.close()
        await assertAuthorizationViolation { try await server.connect { $0.token = "wrong" } }
    }

    func testUserAndPassword() async throws {
        let server = try TestServer { options in
            var alice = UserConfig()
            alice.username = "alice"
            alice.password = "wonderland"
            options.auth.users = [alice]
        }
        defer { server.stop() }
        let nc = try await server.connect {
            $0.user = "alice"
            $0.password = "wonderland"
        }
        await nc.close()
        await assertAuthorizationViolation {
            try await server.connect {
                $0.user = "alice"
                $0.password = "looking-glass"
            }
        }
    }

    func testPermissionViolationIsSurfaced() async throws {
        let server = try TestServer { options in
            var user = UserConfig()
            user.username = "a"
            user.password = "b"
            var permissions = PermissionsConfig()
            permissions.publish = SubjectRules(allow: ["ok.>"])
            permissions.subscribe = SubjectRules(allow: ["ok.>"])
            user.permissions = permissions
            options.auth.users = [user]
        }
        defer { server.stop() }
        let nc = try await server.connect {
            $0.user = "a"
            $0.password = "b"
        }
        try nc.publish(subject: "ok.fine", payload: [1])
        try await nc.flush()
        XCTAssertNil(nc.lastError)

        try nc.publish(subject: "billing.invoice", payload: [1])
        try await nc.flush()
        let error = try XCTUnwrap(nc.lastError)
        XCTAssertEqual(error, .serverError("Permissions Violation for Publish to \"billing.invoice\""))
        XCTAssertTrue(error.isPermissionViolation)
        XCTAssertEqual("\(error)", "server error: Permissions Violation for Publish to \"billing.invoice\"")

        _ = try await nc.subscribe(to: "secret") { _ in }
        try await nc.flush()
        XCTAssertEqual(nc.lastError, .serverError("Permissions Violation for Subscription to \"secret\""))
        XCTAssertFalse(nc.isClosed, "permission violations keep the connection")
        await nc.close()
    }
}
