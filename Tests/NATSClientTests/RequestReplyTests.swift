import NATSClient
import XCTest

final class RequestReplyTests: XCTestCase {
    func testRequestReply() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let responder = try await server.connect()
        _ = try await responder.subscribe(to: "svc.echo", queue: "svc") { message in
            guard let reply = message.reply else { return }
            try? responder.publish(subject: reply, payload: Array("re:".utf8) + message.payload)
        }
        try await responder.flush()
        let requester = try await server.connect()
        for i in 0..<20 {
            let answer = try await requester.request(subject: "svc.echo", payload: Array("\(i)".utf8), timeout: .seconds(2))
            XCTAssertEqual(answer.string, "re:\(i)")
            XCTAssertTrue(answer.subject.hasPrefix("_INBOX."))
        }
        async let a = requester.request(subject: "svc.echo", payload: Array("a".utf8))
        async let b = requester.request(subject: "svc.echo", payload: Array("b".utf8))
        let (ra, rb) = try await (a, b)
        XCTAssertEqual(ra.string, "re:a")
        XCTAssertEqual(rb.string, "re:b")
        await requester.close()
        await responder.close()
    }

    func testNoRespondersIsDistinctError() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let nc = try await server.connect()
        do {
            _ = try await nc.request(subject: "nobody.home", timeout: .seconds(2))
            XCTFail("expected no responders")
        } catch let error as NATSError {
            XCTAssertEqual(error, .noResponders)
        }
        await nc.close()
    }

    func testRequestTimesOut() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let silent = try await server.connect()
        _ = try await silent.subscribe(to: "silent") { _ in }
        try await silent.flush()
        let nc = try await server.connect()
        do {
            _ = try await nc.request(subject: "silent", timeout: .milliseconds(200))
            XCTFail("expected timeout")
        } catch let error as NATSError {
            XCTAssertEqual(error, .timeout)
        }
        await nc.close()
        await silent.close()
    }

    func testHeadersRoundTrip() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let nc = try await server.connect()
        let sub = try await nc.subscribe(to: "hdr")
        var headers = NATSHeaders([("X-Trace", "abc"), ("X-Multi", "1")])
        headers.append("X-Multi", "2")
        try nc.publish(subject: "hdr", payload: Array("body".utf8), headers: headers)
        try nc.publish(subject: "hdr", payload: [], headers: NATSHeaders([("Only", "headers")]))
        try await nc.flush()
        var messages: [NATSMessage] = []
        for await m in sub {
            messages.append(m)
            if messages.count == 2 { break }
        }
        XCTAssertEqual(messages[0].string, "body")
        XCTAssertEqual(messages[0].headers?["X-Trace"], "abc")
        XCTAssertEqual(messages[0].headers?["x-trace"], "abc")
        XCTAssertEqual(messages[0].headers?.values(for: "X-Multi"), ["1", "2"])
        XCTAssertNil(messages[0].status)
        XCTAssertEqual(messages[1].payload, [])
        XCTAssertEqual(messages[1].headers?["Only"], "headers")
        await nc.close()
    }
}
