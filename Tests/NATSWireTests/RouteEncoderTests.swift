import NATSWire
import NIOCore
import XCTest

/// The route encoders: nats-server's byte layout, and parsing back what they write.
final class RouteEncoderTests: XCTestCase {
    func raw<R>(_ text: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        Array(text.utf8).withUnsafeBytes(body)
    }

    func routeSub(_ account: String?, _ subject: String, _ queue: String, _ weight: Int) -> String {
        var buffer = ByteBuffer()
        raw(account ?? "") { a in raw(subject) { s in raw(queue) { q in
            buffer.writeRouteSub(account: account == nil ? nil : a, subject: s, queue: q, weight: weight)
        } } }
        return String(buffer: buffer)
    }

    func routeUnsub(_ account: String?, _ subject: String, _ queue: String) -> String {
        var buffer = ByteBuffer()
        raw(account ?? "") { a in raw(subject) { s in raw(queue) { q in
            buffer.writeRouteUnsub(account: account == nil ? nil : a, subject: s, queue: q)
        } } }
        return String(buffer: buffer)
    }

    func routed(_ account: String?, _ subject: String, reply: String = "", queues: String = "",
                headerLength: Int = -1, _ body: String) -> String {
        var buffer = ByteBuffer()
        raw(account ?? "") { a in raw(subject) { s in raw(reply) { r in raw(queues) { q in raw(body) { b in
            buffer.writeRoutedMessage(account: account == nil ? nil : a, subject: s, reply: r, queues: q,
                                      headerLength: headerLength, body: b)
        } } } } }
        return String(buffer: buffer)
    }

    func testInterestBytes() {
        XCTAssertEqual(routeSub("$G", "foo", "", 0), "RS+ $G foo\r\n")
        XCTAssertEqual(routeSub("$G", "foo.*", "q", 3), "RS+ $G foo.* q 3\r\n")
        XCTAssertEqual(routeSub(nil, "foo", "q", 12), "RS+ foo q 12\r\n")
        XCTAssertEqual(routeSub(nil, "foo", "", 1), "RS+ foo\r\n")
        XCTAssertEqual(routeUnsub("$G", "foo", ""), "RS- $G foo\r\n")
        XCTAssertEqual(routeUnsub("$G", "foo", "q"), "RS- $G foo q\r\n")
        XCTAssertEqual(routeUnsub(nil, "foo", "q"), "RS- foo q\r\n")
    }

    func testRoutedMessageBytes() {
        XCTAssertEqual(routed("$G", "foo", "hello"), "RMSG $G foo 5\r\nhello\r\n")
        XCTAssertEqual(routed("$G", "foo", reply: "r", "hi"), "RMSG $G foo r 2\r\nhi\r\n")
        XCTAssertEqual(routed("$G", "foo", reply: "r", queues: "q1 q2", "hi"), "RMSG $G foo + r q1 q2 2\r\nhi\r\n")
        XCTAssertEqual(routed("$G", "foo", queues: "q1", "hi"), "RMSG $G foo | q1 2\r\nhi\r\n")
        XCTAssertEqual(routed(nil, "foo", ""), "RMSG foo 0\r\n\r\n")
        let header = "NATS/1.0\r\n\r\n"
        XCTAssertEqual(routed(nil, "foo", headerLength: 12, header + "hi"), "HMSG foo 12 14\r\n\(header)hi\r\n")
        XCTAssertEqual(routed("$G", "foo", reply: "r", queues: "a b c", headerLength: 12, header),
                       "HMSG $G foo + r a b c 12 12\r\n\(header)\r\n")
        XCTAssertEqual(routed(nil, "foo", queues: "q", headerLength: 0, ""), "HMSG foo | q 0 0\r\n\r\n")
    }

    func parsed(_ text: String, accountInOps: Bool) -> [String] {
        var feeder = StreamingFeeder(parser: WireParser(dialect: .route(accountInOps: accountInOps)))
        feeder.feed(Array(text.utf8))
        XCTAssertNil(feeder.failure, text.debugDescription)
        return feeder.ops
    }

    func testRoundTrips() {
        let header = "NATS/1.0\r\nA: b\r\n\r\n"
        for account in [nil, "$G"] {
            let a = account ?? ""
            for queue in ["", "q"] {
                let weight = queue.isEmpty ? 0 : 7
                XCTAssertEqual(parsed(routeSub(account, "x.>", queue, weight), accountInOps: account != nil),
                               ["RSUB[|\(a)|x.>|\(queue)|\(weight)]"])
                XCTAssertEqual(parsed(routeUnsub(account, "x.>", queue), accountInOps: account != nil),
                               ["RUNSUB[|\(a)|x.>|\(queue)|\(queue.isEmpty ? 0 : 1)]"])
            }
            for reply in ["", "_INBOX.r"] {
                for queues in ["", "q1", "q1 q2 q3"] {
                    for headerLength in [-1, header.utf8.count] {
                        let body = (headerLength < 0 ? "" : header) + "payload"
                        let text = routed(account, "foo.bar", reply: reply, queues: queues, headerLength: headerLength, body)
                        XCTAssertEqual(parsed(text, accountInOps: account != nil),
                                       ["RMSG[|\(a)|foo.bar|\(reply)|\(queues)|\(headerLength)|\(body)]"], text.debugDescription)
                    }
                }
            }
        }
    }

    func testClientMessageBytes() {
        var buffer = ByteBuffer()
        raw("foo") { s in raw("7") { sid in raw("r") { r in raw("NATS/1.0\r\n\r\nhi") { b in
            buffer.writeMessage(subject: s, sid: sid, reply: r, headerLength: 12, body: b)
            buffer.writeMessage(subject: s, sid: sid, reply: UnsafeRawBufferPointer(start: nil, count: 0), headerLength: -1, body: b)
        } } } }
        XCTAssertEqual(String(buffer: buffer), "HMSG foo 7 r 12 14\r\nNATS/1.0\r\n\r\nhi\r\nMSG foo 7 14\r\nNATS/1.0\r\n\r\nhi\r\n")
    }
}
