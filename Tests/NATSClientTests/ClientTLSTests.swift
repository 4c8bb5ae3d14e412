import NATSClient
import XCTest

/// The client's TLS against a `starling` server process and, when one is installed, Go
/// nats-server: each scenario runs against every server available.
final class ClientTLSTests: XCTestCase {
    /// A server of each kind available, started with `config`: `starling` always, nats-server
    /// when a build at least `goMinimum` is installed.
    private func servers(_ config: String, goMinimum: [Int] = [2, 9, 0]) throws -> [ServerProcess] {
        var servers = [try ServerProcess.starling(config: config)]
        if let binary = Executables.natsServer(minimum: goMinimum) {
            servers.append(try ServerProcess(executable: binary.path, config: config))
        }
        return servers
    }

    private func withServers(_ config: String, goMinimum: [Int] = [2, 9, 0],
                             _ body: (ServerProcess) async throws -> Void) async throws {
        let servers = try servers(config, goMinimum: goMinimum)
        defer { servers.forEach { $0.stop() } }
        for server in servers { try await body(server) }
    }

    private func options(_ server: ServerProcess, host: String = "127.0.0.1",
                         _ configure: (inout NATSClientOptions) -> Void = { _ in }) throws -> NATSClientOptions {
        var options = try NATSClientOptions(url: "nats://\(host):\(server.port)")
        configure(&options)
        return options
    }

    private func assertRoundTrip(_ nc: NATSConnection, file: StaticString = #filePath, line: UInt = #line) async throws {
        let sub = try await nc.subscribe(to: "tls.echo")
        try nc.publish(subject: "tls.echo", payload: Array("over tls".utf8))
        try await nc.flush()
        var iterator = sub.makeAsyncIterator()
        let message = await iterator.next()
        XCTAssertEqual(message?.string, "over tls", file: file, line: line)
    }

    private func assertHandshakeFails(_ options: NATSClientOptions, containing text: String? = nil,
                                      file: StaticString = #filePath, line: UInt = #line) async {
        do {
            let nc = try await NATSConnection.connect(options)
            await nc.close()
            XCTFail("expected the TLS handshake to fail", file: file, line: line)
        } catch let error as NATSError {
            guard case .tlsHandshakeFailed(let reason) = error else {
                return XCTFail("unexpected \(error)", file: file, line: line)
            }
            if let text { XCTAssertTrue(reason.contains(text), "\(reason)", file: file, line: line) }
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
    }

    func testServerRequiringTLSWithTheRightCA() async throws {
        try await withServers(ClientTestPKI.serverBlock()) { server in
            for host in ["127.0.0.1", "localhost"] {
                let nc = try await NATSConnection.connect(options(server, host: host) { $0.tlsCAFile = ClientTestPKI.path("ca.pem") })
                XCTAssertTrue(nc.serverInfo.tlsRequired)
                try await assertRoundTrip(nc)
                await nc.close()
            }
        }
    }

    func testUntrustedServerIsRefused() async throws {
        try await withServers(ClientTestPKI.serverBlock()) { server in
            // Without a CA the system roots apply, which do not know the test CA.
            await assertHandshakeFails(try options(server), containing: "certificate verify failed")
            await assertHandshakeFails(try options(server) { $0.tlsCAFile = ClientTestPKI.path("other-ca.pem") },
                                       containing: "certificate verify failed")
        }
    }

    func testInsecureSkipsVerification() async throws {
        try await withServers(ClientTestPKI.serverBlock()) { server in
            let nc = try await NATSConnection.connect(options(server) { $0.tlsInsecure = true })
            try await assertRoundTrip(nc)
            await nc.close()
        }
    }

    func testMutualTLS() async throws {
        try await withServers(ClientTestPKI.serverBlock("ca_file: \"\(ClientTestPKI.path("ca.pem"))\"\n  verify: true")) { server in
            let nc = try await NATSConnection.connect(options(server) {
                $0.tlsCAFile = ClientTestPKI.path("ca.pem")
                $0.tlsCertFile = ClientTestPKI.path("client-email.pem")
                $0.tlsKeyFile = ClientTestPKI.path("client-email-key.pem")
            })
            XCTAssertTrue(nc.serverInfo.tlsVerify)
            try await assertRoundTrip(nc)
            await nc.close()

            await assertHandshakeFails(try options(server) { $0.tlsCAFile = ClientTestPKI.path("ca.pem") })
            await assertHandshakeFails(try options(server) {
                $0.tlsCAFile = ClientTestPKI.path("ca.pem")
                $0.tlsCertFile = ClientTestPKI.path("other-client.pem")
                $0.tlsKeyFile = ClientTestPKI.path("other-client-key.pem")
            })
        }
    }

    func testHandshakeFirst() async throws {
        // handshake_first came with nats-server 2.10.
        try await withServers(ClientTestPKI.serverBlock("handshake_first: true"), goMinimum: [2, 10, 0]) { server in
            let nc = try await NATSConnection.connect(options(server) {
                $0.tlsCAFile = ClientTestPKI.path("ca.pem")
                $0.tlsHandshakeFirst = true
            })
            try await assertRoundTrip(nc)
            await nc.close()
        }
    }

    func testHandshakeFirstAgainstAServerThatSendsINFOFirst() async throws {
        try await withServers(ClientTestPKI.serverBlock()) { server in
            await assertHandshakeFails(try options(server) {
                $0.tlsCAFile = ClientTestPKI.path("ca.pem")
                $0.tlsHandshakeFirst = true
            })
        }
    }

    func testClientDemandingTLSFromAPlaintextServer() async throws {
        let server = try TestServer()
        defer { server.stop() }
        for demand in [{ (o: inout NATSClientOptions) in o.tlsRequired = true },
                       { (o: inout NATSClientOptions) in o.tlsCAFile = ClientTestPKI.path("ca.pem") }] {
            do {
                _ = try await server.connect(demand)
                XCTFail("expected tlsNotAvailable")
            } catch let error as NATSError {
                XCTAssertEqual(error, .tlsNotAvailable)
            }
        }
        do {
            _ = try await NATSConnection.connect(url: "tls://127.0.0.1:\(server.port)")
            XCTFail("expected tlsNotAvailable")
        } catch let error as NATSError {
            XCTAssertEqual(error, .tlsNotAvailable)
        }
    }

    func testUnreadableFilesFailBeforeConnecting() async throws {
        var options = NATSClientOptions()
        options.port = 1
        options.tlsCAFile = "/nonexistent/ca.pem"
        do {
            _ = try await NATSConnection.connect(options)
            XCTFail("expected an error")
        } catch let error as NATSError {
            XCTAssertEqual(error, .tlsConfiguration("cannot read CA file /nonexistent/ca.pem"))
        }
        options.tlsCAFile = nil
        options.tlsCertFile = ClientTestPKI.path("client-email.pem")
        do {
            _ = try await NATSConnection.connect(options)
            XCTFail("expected an error")
        } catch let error as NATSError {
            XCTAssertEqual(error, .tlsConfiguration("a client certificate needs both a certificate file and a key file"))
        }
    }
}
