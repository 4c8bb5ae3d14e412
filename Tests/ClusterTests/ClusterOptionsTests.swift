import NATSConfig
import XCTest
@testable import Starling

/// `cluster {}` decoding and the route URL syntax, as nats-server reads them (opts.go: parseCluster).
final class ClusterOptionsTests: XCTestCase {
    private func options(_ text: String) throws -> ServerOptions {
        var options = ServerOptions()
        try options.apply(ConfigParser.parse(string: text, fileName: "test.conf"))
        return options
    }

    func testEveryKeyOfAFullBlock() throws {
        let cluster = try XCTUnwrap(options("""
            cluster {
              name: east
              listen: "127.0.0.1:7244"
              advertise: "east1.example.com:7244"
              no_advertise: true
              routes: ["nats-route://ru:secret@127.0.0.1:7245", "nats://[::1]:7246"]
              authorization { user: ru, password: secret, timeout: 0.5 }
              connect_retries: 7
              connect_backoff: true
              pool_size: 5
              accounts: [A, B]
              ping_interval: "30s"
              ping_max: 4
              compression: off
            }
            """).cluster)
        XCTAssertEqual(cluster.name, "east")
        XCTAssertEqual(cluster.host, "127.0.0.1")
        XCTAssertEqual(cluster.port, 7244)
        XCTAssertEqual(cluster.advertise, "east1.example.com:7244")
        XCTAssertTrue(cluster.noAdvertise)
        XCTAssertEqual(cluster.routes.map(\.description), ["127.0.0.1:7245", "[::1]:7246"])
        XCTAssertEqual(cluster.routes[0].username, "ru")
        XCTAssertEqual(cluster.routes[0].password, "secret")
        XCTAssertNil(cluster.routes[1].username)
        XCTAssertEqual(cluster.username, "ru")
        XCTAssertEqual(cluster.password, "secret")
        XCTAssertEqual(cluster.authTimeout, .milliseconds(500))
        XCTAssertEqual(cluster.connectRetries, 7)
        XCTAssertTrue(cluster.connectBackoff)
        XCTAssertEqual(cluster.poolSize, 5)
        XCTAssertEqual(cluster.pinnedAccounts, ["A", "B"])
        XCTAssertEqual(cluster.pingInterval, .seconds(30))
        XCTAssertEqual(cluster.pingMax, 4)
    }

    func testDefaultsAreNatsServers() throws {
        let cluster = try XCTUnwrap(options("cluster { port: 6222 }").cluster)
        XCTAssertNil(cluster.name, "no name: dynamic")
        XCTAssertEqual(cluster.host, "0.0.0.0")
        XCTAssertEqual(cluster.poolSize, 3)
        XCTAssertEqual(cluster.connectRetries, 0)
        XCTAssertFalse(cluster.noAdvertise)
    }

    func testRefusalsCarryPositions() {
        let cases: [(String, String)] = [
            ("cluster {\n  authorization { users: [{user: a, password: b}] }\n}", "test.conf:2:"),
            ("cluster {\n  authorization { token: abc }\n}", "does not support tokens"),
            ("cluster {\n  routes: [\"nats-route://nohost\"]\n}", "error parsing route url"),
            ("cluster {\n  compression: s2_fast\n}", "compression is not supported"),
            ("cluster {\n  permissions { import: \"a\", allow_responses: true }\n}", "do not support dynamic responses"),
            ("cluster {\n  permissions { import: \"a..b\" }\n}", "test.conf:2:"),
            ("cluster {\n  name: \"two words\"\n}", "cannot contain spaces"),
            ("cluster {\n  bogus: 1\n}", "unknown field \"bogus\""),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try options(text), text) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error) should mention \(expected)")
            }
        }
    }

    func testPermissionsImportAndExport() throws {
        let cluster = try XCTUnwrap(options("""
            cluster {
              port: 6222
              permissions {
                import: { allow: ["in.>", "both.*"], deny: ["in.secret"] }
                export: ["out.>", "both.*"]
              }
            }
            """).cluster)
        XCTAssertEqual(cluster.permissions?.publish, SubjectRules(allow: ["in.>", "both.*"], deny: ["in.secret"]))
        XCTAssertEqual(cluster.permissions?.subscribe, SubjectRules(allow: ["out.>", "both.*"]))
        let checker = ClientPermissions(try XCTUnwrap(cluster.permissions))
        XCTAssertTrue(checker.canPublish("in.x"), "import allow")
        XCTAssertFalse(checker.canPublish("in.secret"), "import deny beats allow")
        XCTAssertFalse(checker.canPublish("out.x"), "not imported")
        XCTAssertTrue(checker.canSubscribe("out.*", queue: nil), "export allow covers a narrower wildcard")
        XCTAssertFalse(checker.canSubscribe(">", queue: nil), "a wider wildcard is not exported")
    }

    func testRouteURLForms() throws {
        let plain = try XCTUnwrap(RouteURL("127.0.0.1:6222"))
        XCTAssertEqual(plain.host, "127.0.0.1")
        XCTAssertEqual(plain.port, 6222)
        let encoded = try XCTUnwrap(RouteURL("nats-route://us%40er:p%3Ass@host.example:7000/"))
        XCTAssertEqual(encoded.username, "us@er")
        XCTAssertEqual(encoded.password, "p:ss")
        XCTAssertEqual(encoded.description, "host.example:7000", "credentials never appear in logs")
        XCTAssertNil(RouteURL("nats://host"))
        XCTAssertNil(RouteURL("nats://host:0"))
        XCTAssertNil(RouteURL("nats://:6222"))
    }

    func testReloadRefusalShowsNoPassword() throws {
        let old = try options("cluster { port: 6222, authorization { user: ru, password: s3cret } }")
        let new = try options("cluster { port: 6223, authorization { user: ru, password: s3cret } }")
        XCTAssertThrowsError(try ReloadCheck.verify(old: old, new: new)) { error in
            XCTAssertTrue("\(error)".contains("cluster"))
            XCTAssertFalse("\(error)".contains("s3cret"))
        }
        XCTAssertNoThrow(try ReloadCheck.verify(old: old, new: old))
    }

    func testReloadAcceptsTheSameBlockMovedInTheFile() throws {
        let block = "cluster { port: 6222, tls { cert_file: a.pem, key_file: a-key.pem, timeout: 3 } }"
        let old = try options(block)
        let new = try options("# a new first line\nmax_payload: 1MB\n\n   " + block)
        XCTAssertNotEqual(old.cluster?.tls?.position, new.cluster?.tls?.position)
        XCTAssertNoThrow(try ReloadCheck.verify(old: old, new: new))
        let changed = try options(block.replacingOccurrences(of: "timeout: 3", with: "timeout: 4"))
        XCTAssertThrowsError(try ReloadCheck.verify(old: old, new: changed))
    }
}
