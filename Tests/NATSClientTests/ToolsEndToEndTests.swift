import Foundation
import NATSKeys
import XCTest

/// `starling pub|sub|request|reply` run as processes against a `starling` server process.
final class ToolsEndToEndTests: XCTestCase {
    private var server: ServerProcess!
    private var starling: String!

    override func setUpWithError() throws {
        starling = try Executables.starling()
    }

    override func tearDown() {
        server?.stop()
        server = nil
    }

    private func startServer(config: String? = nil) throws {
        server = try ServerProcess.starling(config: config)
    }

    /// Runs `starling ARGUMENTS -s URL` to completion.
    private func tool(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        try ChildProcess.run(starling, arguments + ["-s", server.url], environment: environment)
    }

    /// Starts `starling ARGUMENTS -s URL` and waits for `ready` on its standard error.
    private func background(_ arguments: [String], ready: String) throws -> ChildProcess {
        let child = try ChildProcess(starling, arguments + ["-s", server.url])
        child.waitFor(ready)
        return child
    }

    func testPubSub() throws {
        try startServer()
        let sub = try background(["sub", "orders.*", "--count", "2"], ready: "Subscribing on orders.*")
        let first = try tool(["pub", "orders.new", "hello"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(first.stderr, "Published 5 bytes to \"orders.new\"\n")
        let second = try tool(["pub", "orders.old", "world", "--header", "A:1", "-H", "Trace: x y"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(sub.wait(), 0, sub.errorOutput)
        XCTAssertEqual(sub.output, """
            [#1] Received on "orders.new"
            hello

            [#2] Received on "orders.old"
            A: 1
            Trace: x y

            world


            """)
    }

    func testSubRawWithQueueAndPubCountAndReply() throws {
        try startServer()
        let sub = try background(["sub", "raw", "--queue", "q", "--count", "3", "--raw"], ready: "Subscribing on raw in queue group q")
        let pub = try tool(["pub", "raw", "x", "--count", "3", "--reply", "answers"])
        XCTAssertEqual(pub.status, 0, pub.stderr)
        XCTAssertEqual(pub.stderr, "Published 3 messages of 1 bytes to \"raw\"\n")
        XCTAssertEqual(sub.wait(), 0, sub.errorOutput)
        XCTAssertEqual(sub.output, "x\nx\nx\n")
    }

    func testSubStopsOnInterrupt() throws {
        try startServer()
        let sub = try background(["sub", "forever"], ready: "Subscribing on forever")
        XCTAssertEqual(sub.stop(signal: SIGINT), 0, sub.errorOutput)
    }

    func testRequestReply() throws {
        try startServer()
        let reply = try background(["reply", "svc.echo", "echo: {{Request}}", "--count", "2"], ready: "Listening on \"svc.echo\"")
        let first = try tool(["request", "svc.echo", "hi"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(first.stdout, "echo: hi\n")
        XCTAssertTrue(first.stderr.contains("Received with rtt"), first.stderr)
        let second = try tool(["req", "svc.echo", "there", "--raw"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(second.stdout, "echo: there\n")
        XCTAssertEqual(reply.wait(), 0, reply.errorOutput)
        XCTAssertTrue(reply.output.contains("[#1] Received on \"svc.echo\" with reply \"_INBOX."), reply.output)
        XCTAssertTrue(reply.output.contains("\nthere\n"), reply.output)
    }

    func testRequestWithoutResponders() throws {
        try startServer()
        let result = try tool(["request", "nobody.home", "x"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("starling: no responders available for request"), result.stderr)
        XCTAssertEqual(result.stdout, "")
    }

    func testRequestTimeout() throws {
        try startServer()
        // A subscriber that never answers: the server has interest, so no 503 comes.
        let silent = try background(["sub", "silent"], ready: "Subscribing on silent")
        defer { silent.stop(signal: SIGINT) }
        let result = try tool(["request", "silent", "x", "--timeout", "300ms"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("starling: no reply on \"silent\" within 300ms"), result.stderr)
    }

    func testPermissionViolationAndBadPassword() throws {
        try startServer(config: """
            authorization { users [ {user: a, password: b, permissions: {publish: "ok.>", subscribe: ["ok.>", "_INBOX.>"]}} ] }
            """)
        let allowed = try tool(["pub", "ok.fine", "x", "--user", "a", "--password", "b"])
        XCTAssertEqual(allowed.status, 0, allowed.stderr)

        let denied = try tool(["pub", "billing.invoice", "x", "--user", "a", "--password", "b"])
        XCTAssertEqual(denied.status, 1)
        XCTAssertEqual(denied.stderr, "starling: server error: Permissions Violation for Publish to \"billing.invoice\"\n")

        let deniedSub = try tool(["sub", "billing.>", "--user", "a", "--password", "b"])
        XCTAssertEqual(deniedSub.status, 1)
        XCTAssertEqual(deniedSub.stderr, "starling: server error: Permissions Violation for Subscription to \"billing.>\"\n")

        let denyReply = try tool(["request", "billing.invoice", "x", "--user", "a", "--password", "b", "--timeout", "1s"])
        XCTAssertEqual(denyReply.status, 1)
        XCTAssertTrue(denyReply.stderr.contains("Permissions Violation for Publish to \"billing.invoice\""), denyReply.stderr)

        let badPassword = try tool(["pub", "ok.fine", "x", "--user", "a", "--password", "wrong"])
        XCTAssertEqual(badPassword.status, 1)
        XCTAssertEqual(badPassword.stderr, "starling: authentication failed: Authorization Violation\n")

        let noCredentials = try tool(["pub", "ok.fine", "x"])
        XCTAssertEqual(noCredentials.status, 1)
        XCTAssertTrue(noCredentials.stderr.contains("Authorization Violation"), noCredentials.stderr)
    }

    func testNKeySeedFile() throws {
        let user = try KeyPair.generate(.user)
        try startServer(config: "authorization { users [ {nkey: \(user.publicKeyString)} ] }")
        let seedFile = server.directory.appendingPathComponent("user.nk")
        try (user.seed + "\n").write(to: seedFile, atomically: true, encoding: .utf8)
        let result = try tool(["pub", "x", "y", "--nkey", seedFile.path])
        XCTAssertEqual(result.status, 0, result.stderr)

        let other = server.directory.appendingPathComponent("other.nk")
        try (try KeyPair.generate(.user).seed).write(to: other, atomically: true, encoding: .utf8)
        let refused = try tool(["pub", "x", "y", "--nkey", other.path])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("Authorization Violation"), refused.stderr)
    }

    func testServerFromEnvironmentAndUnreachableServer() throws {
        try startServer()
        let viaEnvironment = try ChildProcess.run(starling, ["pub", "env.test", "x"], environment: ["NATS_URL": server.url])
        XCTAssertEqual(viaEnvironment.status, 0, viaEnvironment.stderr)

        let port = server.port
        server.stop()
        server = nil
        let unreachable = try ChildProcess.run(starling, ["pub", "x", "y", "-s", "nats://127.0.0.1:\(port)"])
        XCTAssertEqual(unreachable.status, 1)
        XCTAssertEqual(unreachable.stderr, "starling: cannot connect to 127.0.0.1:\(port): connection refused\n")
    }

    func testUsageErrors() throws {
        let missing = try ChildProcess.run(starling, ["pub"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("Missing expected argument '<subject>'"), missing.stderr)
        let badHeader = try ChildProcess.run(starling, ["pub", "x", "-H", "nocolon"])
        XCTAssertNotEqual(badHeader.status, 0)
        let badTimeout = try ChildProcess.run(starling, ["request", "x", "--timeout", "soon"])
        XCTAssertNotEqual(badTimeout.status, 0)
    }

    func testTLS() throws {
        var servers = [try ServerProcess.starling(config: ClientTestPKI.serverBlock())]
        if let binary = Executables.natsServer() {
            servers.append(try ServerProcess(executable: binary.path, config: ClientTestPKI.serverBlock()))
        }
        defer { servers.forEach { $0.stop() } }
        for server in servers {
            let url = "nats://localhost:\(server.port)"
            let ok = try ChildProcess.run(starling, ["pub", "x", "y", "-s", url, "--tlsca", ClientTestPKI.path("ca.pem")])
            XCTAssertEqual(ok.status, 0, ok.stderr)
            let untrusted = try ChildProcess.run(starling, ["pub", "x", "y", "-s", url])
            XCTAssertEqual(untrusted.status, 1)
            XCTAssertTrue(untrusted.stderr.hasPrefix("starling: TLS handshake failed: certificate verify failed"), untrusted.stderr)
        }
    }

    func testMutualTLSAndHandshakeFirst() throws {
        let ca = ClientTestPKI.path("ca.pem")
        let mutual = try ServerProcess.starling(config: ClientTestPKI.serverBlock("ca_file: \"\(ca)\"\n  verify: true"))
        defer { mutual.stop() }
        let withCert = try ChildProcess.run(starling, ["pub", "x", "y", "-s", mutual.url, "--tlsca", ca,
                                                       "--tlscert", ClientTestPKI.path("client-email.pem"),
                                                       "--tlskey", ClientTestPKI.path("client-email-key.pem")])
        XCTAssertEqual(withCert.status, 0, withCert.stderr)
        let withoutCert = try ChildProcess.run(starling, ["pub", "x", "y", "-s", mutual.url, "--tlsca", ca])
        XCTAssertEqual(withoutCert.status, 1)
        XCTAssertTrue(withoutCert.stderr.hasPrefix("starling: TLS handshake failed: "), withoutCert.stderr)

        let first = try ServerProcess.starling(config: ClientTestPKI.serverBlock("handshake_first: true"))
        defer { first.stop() }
        let tlsFirst = try ChildProcess.run(starling, ["pub", "x", "y", "-s", first.url, "--tlsca", ca, "--tlsfirst"])
        XCTAssertEqual(tlsFirst.status, 0, tlsFirst.stderr)
    }
}
