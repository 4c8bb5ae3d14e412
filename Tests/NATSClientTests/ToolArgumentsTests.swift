@testable import NATSClient
@testable import starling
import XCTest

/// The tools' small parts: durations, headers, message layout, connection options.
final class ToolArgumentsTests: XCTestCase {
    func testDurations() throws {
        XCTAssertEqual(ToolDuration(argument: "2s")?.duration, .seconds(2))
        XCTAssertEqual(ToolDuration(argument: "500ms")?.duration, .milliseconds(500))
        XCTAssertEqual(ToolDuration(argument: "1.5m")?.duration, .seconds(90))
        XCTAssertEqual(ToolDuration(argument: "1h")?.duration, .seconds(3600))
        XCTAssertEqual(ToolDuration(argument: "3")?.duration, .seconds(3))
        XCTAssertNil(ToolDuration(argument: "soon"))
        XCTAssertNil(ToolDuration(argument: "-1s"))
        XCTAssertEqual("\(ToolDuration(.seconds(5)))", "5s")
        XCTAssertEqual("\(ToolDuration(.milliseconds(250)))", "250ms")
    }

    func testHeaders() throws {
        let header = try XCTUnwrap(HeaderArgument(argument: "Trace-Id: abc:def "))
        XCTAssertEqual(header.name, "Trace-Id")
        XCTAssertEqual(header.value, "abc:def")
        XCTAssertNil(HeaderArgument(argument: "novalue"))
        XCTAssertNil(HeaderArgument(argument: ":x"))
        XCTAssertNil(HeaderArgument.block([]))
        XCTAssertEqual(HeaderArgument.block([header])?["Trace-Id"], "abc:def")
    }

    func testMessageLayout() {
        let plain = NATSMessage(subject: "a.b", payload: Array("hi".utf8))
        XCTAssertEqual(MessagePrinter().format(plain, number: 3), "[#3] Received on \"a.b\"\nhi\n\n")
        XCTAssertEqual(MessagePrinter(raw: true).format(plain, number: 3), "hi\n")
        let withReply = NATSMessage(subject: "q", reply: "r", headers: NATSHeaders([("K", "v")]), payload: Array("line\n".utf8))
        XCTAssertEqual(MessagePrinter().format(withReply, number: 1), "[#1] Received on \"q\" with reply \"r\"\nK: v\n\nline\n\n")
        XCTAssertEqual(ToolOutput.quoted("a\"b\\c"), "\"a\\\"b\\\\c\"")
        XCTAssertEqual(ReplyTool.body("got {{Request}}!", request: "x"), "got x!")
    }

    func testConnectionOptions() throws {
        let parsed = try PubTool.parse(["subj", "-s", "tls://u:p@example.org:4443,nats://other:4222",
                                        "--tlsca", "/ca.pem", "--tlsfirst", "--timeout", "250ms"])
        let options = try parsed.connection.clientOptions(tool: "pub")
        XCTAssertEqual(options.host, "example.org")
        XCTAssertEqual(options.port, 4443)
        XCTAssertEqual(options.user, "u")
        XCTAssertEqual(options.password, "p")
        XCTAssertTrue(options.tlsRequired)
        XCTAssertTrue(options.tlsHandshakeFirst)
        XCTAssertEqual(options.tlsCAFile, "/ca.pem")
        XCTAssertEqual(options.connectTimeout, .milliseconds(250))
        XCTAssertEqual(options.requestTimeout, .milliseconds(250))
        XCTAssertEqual(options.name, "starling pub")
        XCTAssertThrowsError(try PubTool.parse(["subj", "--tlscert", "/c.pem"]))
        XCTAssertThrowsError(try PubTool.parse(["subj", "--creds", "/a.creds", "--nkey", "/b.nk"]))
    }

    func testTLSOptions() throws {
        let url = try NATSClientOptions(url: "tls://127.0.0.1:4443")
        XCTAssertTrue(url.tlsRequired)
        XCTAssertTrue(url.demandsTLS)
        var plain = NATSClientOptions()
        XCTAssertFalse(plain.demandsTLS)
        plain.tlsInsecure = true
        XCTAssertFalse(plain.demandsTLS, "insecure only relaxes verification")
        plain.tlsCAFile = "/ca.pem"
        XCTAssertTrue(plain.demandsTLS)
        XCTAssertEqual(ClientTLS.serverName(for: "localhost"), "localhost")
        XCTAssertNil(ClientTLS.serverName(for: "127.0.0.1"))
        XCTAssertNil(ClientTLS.serverName(for: "::1"))
        XCTAssertEqual(NATSClientOptions().serverAddress, "127.0.0.1:4222")
        XCTAssertEqual(try NATSClientOptions(url: "nats://[::1]:5222").serverAddress, "[::1]:5222")
        XCTAssertThrowsError(try NATSClientOptions(url: "http://x:1"))
    }

    func testServerErrorClassification() {
        XCTAssertEqual(NATSError.fromServer("Authorization Violation"), .authorizationViolation("Authorization Violation"))
        XCTAssertEqual(NATSError.fromServer("User Authentication Expired"), .authorizationViolation("User Authentication Expired"))
        XCTAssertEqual(NATSError.fromServer("Invalid Subject"), .serverError("Invalid Subject"))
        XCTAssertTrue(NATSError.serverError("Permissions Violation for Publish to \"x\"").isPermissionViolation)
        XCTAssertFalse(NATSError.serverError("Invalid Subject").isPermissionViolation)
    }
}
