import NATSWire
import XCTest

/// The route dialect of the parser: RS±, LS±, RMSG, route-form HMSG and LMSG.
final class RouteWireTests: XCTestCase {
    static let full = WireParser(dialect: .route(accountInOps: true))
    static let pinned = WireParser(dialect: .route(accountInOps: false))

    let fullStream = Array((
        "INFO {\"server_id\":\"S1\"}\r\nCONNECT {\"echo\":true}\r\nPING\r\nPONG\r\n+OK\r\n-ERR 'x'\r\n" +
        "RS+ $G foo\r\nRS+ $G foo.* q1 3\r\nrs- $G foo\r\nRS-\t$G  foo.* q1\n" +
        "LS+ c1 $G bar\r\nLS+ c1 $G bar q 2\r\nLS- c1 $G bar\r\nLS- c1 $G bar q\r\n" +
        "RMSG $G foo 5\r\nhello\r\nRMSG $G foo r 0\r\n\r\nRMSG $G foo + r 1\r\nx\r\n" +
        "RMSG $G foo + r q1 3\r\nabc\r\nRMSG $G foo | q1 q2\tq3 3\r\nabc\r\n" +
        "HMSG $G foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\nHMSG $G foo r 12 12\r\nNATS/1.0\r\n\r\n\r\n" +
        "HMSG $G foo + r a b c 12 12\r\nNATS/1.0\r\n\r\n\r\nHMSG $G foo | a 0 1\r\nx\r\n" +
        "LMSG c1 $G foo 0 2\r\nhi\r\nLMSG c1 $G foo r 0 2\r\nhi\r\n" +
        "LMSG c1 $G foo + r a b 0 2\r\nhi\r\nLMSG c1 $G foo | a 12 12\r\nNATS/1.0\r\n\r\n\r\n"
    ).utf8)

    let fullExpected = [
        "INFO[{\"server_id\":\"S1\"}]", "CONNECT[{\"echo\":true}]", "PING", "PONG", "OK", "ERR['x']",
        "RSUB[|$G|foo||0]", "RSUB[|$G|foo.*|q1|3]", "RUNSUB[|$G|foo||0]", "RUNSUB[|$G|foo.*|q1|1]",
        "RSUB[c1|$G|bar||0]", "RSUB[c1|$G|bar|q|2]", "RUNSUB[c1|$G|bar||0]", "RUNSUB[c1|$G|bar|q|1]",
        "RMSG[|$G|foo|||-1|hello]", "RMSG[|$G|foo|r||-1|]", "RMSG[|$G|foo|r||-1|x]",
        "RMSG[|$G|foo|r|q1|-1|abc]", "RMSG[|$G|foo||q1 q2\tq3|-1|abc]",
        "RMSG[|$G|foo|||12|NATS/1.0\r\n\r\nhi]", "RMSG[|$G|foo|r||12|NATS/1.0\r\n\r\n]",
        "RMSG[|$G|foo|r|a b c|12|NATS/1.0\r\n\r\n]", "RMSG[|$G|foo||a|0|x]",
        "RMSG[c1|$G|foo|||0|hi]", "RMSG[c1|$G|foo|r||0|hi]",
        "RMSG[c1|$G|foo|r|a b|0|hi]", "RMSG[c1|$G|foo||a|12|NATS/1.0\r\n\r\n]",
    ]

    let pinnedStream = Array((
        "PING\r\nRS+ foo\r\nRS+ foo q 2\r\nRS- foo\r\nRS- foo q\r\n" +
        "LS+ c1 bar\r\nLS+ c1 bar q 1\r\nLS- c1 bar q\r\n" +
        "RMSG foo 2\r\nhi\r\nRMSG foo r 2\r\nhi\r\nRMSG foo + r q1 q2 q3 2\r\nhi\r\nRMSG foo | q1 2\r\nhi\r\n" +
        "HMSG foo 12 12\r\nNATS/1.0\r\n\r\n\r\nHMSG foo + r q 12 14\r\nNATS/1.0\r\n\r\nhi\r\n" +
        "LMSG c1 foo 0 2\r\nhi\r\nLMSG c1 foo | q 0 2\r\nhi\r\n"
    ).utf8)

    let pinnedExpected = [
        "PING", "RSUB[||foo||0]", "RSUB[||foo|q|2]", "RUNSUB[||foo||0]", "RUNSUB[||foo|q|1]",
        "RSUB[c1||bar||0]", "RSUB[c1||bar|q|1]", "RUNSUB[c1||bar|q|1]",
        "RMSG[||foo|||-1|hi]", "RMSG[||foo|r||-1|hi]", "RMSG[||foo|r|q1 q2 q3|-1|hi]", "RMSG[||foo||q1|-1|hi]",
        "RMSG[||foo|||12|NATS/1.0\r\n\r\n]", "RMSG[||foo|r|q|12|NATS/1.0\r\n\r\nhi]",
        "RMSG[c1||foo|||0|hi]", "RMSG[c1||foo||q|0|hi]",
    ]

    func ops(of text: String, parser: WireParser = full) -> [String] {
        var feeder = StreamingFeeder(parser: parser)
        feeder.feed(Array(text.utf8))
        XCTAssertNil(feeder.failure, text.debugDescription)
        return feeder.ops
    }

    func failure(of text: String, parser: WireParser = full) -> WireError? {
        var feeder = StreamingFeeder(parser: parser)
        feeder.feed(Array(text.utf8))
        return feeder.failure
    }

    func testWholeStreams() {
        for (parser, stream, expected) in [(Self.full, fullStream, fullExpected), (Self.pinned, pinnedStream, pinnedExpected)] {
            var feeder = StreamingFeeder(parser: parser)
            feeder.feed(stream)
            XCTAssertNil(feeder.failure)
            XCTAssertEqual(feeder.ops, expected)
            XCTAssertTrue(feeder.pending.isEmpty)
        }
    }

    func testSplitAtEveryByte() {
        for (parser, stream, expected) in [(Self.full, fullStream, fullExpected), (Self.pinned, pinnedStream, pinnedExpected)] {
            for cut in 0...stream.count {
                var feeder = StreamingFeeder(parser: parser)
                feeder.feed(Array(stream[..<cut]))
                feeder.feed(Array(stream[cut...]))
                XCTAssertNil(feeder.failure, "cut at \(cut)")
                XCTAssertEqual(feeder.ops, expected, "cut at \(cut)")
            }
        }
    }

    func testOneByteAtATime() {
        var feeder = StreamingFeeder(parser: Self.full)
        for byte in fullStream { feeder.feed([byte]) }
        XCTAssertEqual(feeder.ops, fullExpected)
    }

    func testCaseInsensitiveOps() {
        XCTAssertEqual(ops(of: "rs+ a b\r\nRs- a b\r\nlS+ o a b\r\nls- o a b\r\n"),
                       ["RSUB[|a|b||0]", "RUNSUB[|a|b||0]", "RSUB[o|a|b||0]", "RUNSUB[o|a|b||0]"])
        XCTAssertEqual(ops(of: "Rmsg a b 1\r\nx\r\nhmsg a b 0 0\r\n\r\nlmsg o a b 0 0\r\n\r\n"),
                       ["RMSG[|a|b|||-1|x]", "RMSG[|a|b|||0|]", "RMSG[o|a|b|||0|]"])
    }

    func testLeafUnsubWithoutOrigin() {
        var old = Self.full
        old.leafUnsubCarriesOrigin = false
        XCTAssertEqual(ops(of: "LS- $G bar\r\nLS- $G bar q\r\n", parser: old), ["RUNSUB[|$G|bar||0]", "RUNSUB[|$G|bar|q|1]"])
        old.dialect = .route(accountInOps: false)
        XCTAssertEqual(ops(of: "LS- bar\r\nLS- bar q\r\n", parser: old), ["RUNSUB[||bar||0]", "RUNSUB[||bar|q|1]"])
        XCTAssertEqual(failure(of: "LS- bar q x\r\n", parser: old), .badArguments(op: "LS-"))
        // With origin support three arguments are origin, account and subject, as in nats-server.
        XCTAssertEqual(ops(of: "LS- $G bar q\r\n"), ["RUNSUB[$G|bar|q||0]"])
    }

    func testQueueLists() {
        let cases: [(String, [String])] = [
            ("RMSG $G foo r 1\r\nx\r\n", []),
            ("RMSG $G foo + r 1\r\nx\r\n", []),
            ("RMSG $G foo | q1 1\r\nx\r\n", ["q1"]),
            ("RMSG $G foo + r q1 1\r\nx\r\n", ["q1"]),
            ("RMSG $G foo | q1  q2\tq3 1\r\nx\r\n", ["q1", "q2", "q3"]),
            ("HMSG $G foo + r q1 q2 q3 0 1\r\nx\r\n", ["q1", "q2", "q3"]),
            ("LMSG o $G foo | q1 q2 q3 0 1\r\nx\r\n", ["q1", "q2", "q3"]),
        ]
        for (text, expected) in cases {
            let bytes = Array(text.utf8)
            bytes.withUnsafeBytes { raw in
                guard case .op(.routedMsg(let frame), _) = Self.full.next(raw, at: 0) else {
                    return XCTFail(text.debugDescription)
                }
                var names: [String] = []
                RoutedFrame.forEachQueue(in: raw, frame.queues) { names.append(String(decoding: raw[$0], as: UTF8.self)) }
                XCTAssertEqual(names, expected, text.debugDescription)
                XCTAssertEqual(frame.payload, frame.body)
            }
        }
    }

    func testBadArguments() {
        let full: [(String, String)] = [
            ("RS+ $G\r\n", "RS+"), ("RS+ $G foo q\r\n", "RS+"), ("RS+ $G foo q x\r\n", "RS+"),
            ("RS+ $G foo q 1 extra\r\n", "RS+"), ("RS- $G\r\n", "RS-"), ("RS- $G foo q extra\r\n", "RS-"),
            ("LS+ c1 $G\r\n", "LS+"), ("LS+ c1 $G foo q\r\n", "LS+"), ("LS- c1 $G\r\n", "LS-"),
            ("RMSG $G\r\n", "RMSG"), ("RMSG $G foo\r\n", "RMSG"), ("RMSG $G foo r x\r\n", "RMSG"),
            ("RMSG $G foo * r q 1\r\n", "RMSG"), ("RMSG $G foo ++ r q 1\r\n", "RMSG"),
            ("RMSG $G foo 1234567890\r\n", "RMSG"), ("RMSG $G foo -1\r\n", "RMSG"),
            ("HMSG $G foo 5\r\n", "HMSG"), ("HMSG $G foo 20 12\r\n", "HMSG"), ("HMSG $G foo + r q x 1\r\n", "HMSG"),
            ("LMSG c1 $G foo 5\r\n", "LMSG"), ("LMSG c1 $G foo 3 2\r\n", "LMSG"), ("LMSG c1 $G\r\n", "LMSG"),
        ]
        for (text, op) in full {
            XCTAssertEqual(failure(of: text), .badArguments(op: op), text.debugDescription)
        }
        let pinned: [(String, String)] = [
            ("RS+ foo q\r\n", "RS+"), ("RS+ foo q 1 x\r\n", "RS+"), ("RS- foo q x\r\n", "RS-"),
            ("LS+ c1\r\n", "LS+"), ("RMSG foo\r\n", "RMSG"), ("HMSG foo 1\r\n", "HMSG"), ("LMSG c1 foo 2\r\n", "LMSG"),
        ]
        for (text, op) in pinned {
            XCTAssertEqual(failure(of: text, parser: Self.pinned), .badArguments(op: op), text.debugDescription)
        }
    }

    func testClientOpsAreUnknownOnRoutes() {
        for text in ["PUB foo 1\r\nx\r\n", "HPUB foo 0 1\r\nx\r\n", "SUB foo 1\r\n", "UNSUB 1\r\n", "MSG foo 1 1\r\nx\r\n",
                     "A+ $G\r\n", "RS* a b\r\n", "RS+\r\n", "RMSGX a b 1\r\n", "LX a\r\n", "SUB foo", "MSG foo 1",
                     "RMSG $G foo 3\r\nabcdef\r\n", "\r\n"] {
            XCTAssertEqual(failure(of: text), .unknownOperation, text.debugDescription)
            XCTAssertEqual(failure(of: text, parser: Self.pinned), .unknownOperation, text.debugDescription)
        }
        XCTAssertNil(failure(of: "RS+ a"), "an incomplete route op waits for more")
    }

    func testRouteOpsAreUnknownForClients() {
        for text in ["RS+ $G foo\r\n", "RS- $G foo\r\n", "LS+ c $G foo\r\n", "LS- c $G foo\r\n", "RMSG $G foo 1\r\nx\r\n",
                     "LMSG c $G foo 0 1\r\nx\r\n", "RS+ $G", "LMSG c"] {
            XCTAssertEqual(failure(of: text, parser: WireParser()), .unknownOperation, text.debugDescription)
        }
    }

    func testMaxPayloadBoundsRoutedMessages() {
        let small = WireParser(maxPayload: 10, dialect: .route(accountInOps: false))
        XCTAssertEqual(ops(of: "RMSG foo 10\r\n0123456789\r\n", parser: small), ["RMSG[||foo|||-1|0123456789]"])
        XCTAssertEqual(failure(of: "RMSG foo 11\r\n", parser: small), .maxPayloadExceeded(size: 11))
        XCTAssertEqual(failure(of: "HMSG foo 0 11\r\n", parser: small), .maxPayloadExceeded(size: 11))
        XCTAssertEqual(failure(of: "LMSG o foo | q 0 11\r\n", parser: small), .maxPayloadExceeded(size: 11))
        XCTAssertEqual(failure(of: "RMSG $G foo 2000000\r\n"), .maxPayloadExceeded(size: 2_000_000))
        let large = WireParser(maxPayload: 64 << 20, dialect: .route(accountInOps: true))
        XCTAssertNil(failure(of: "RMSG $G foo 2000000\r\n", parser: large), "a large routed message waits for its body")
    }

    func testRouteControlLineIsSixteenTimesTheLimit() {
        let queues = (0..<2000).map { "q\($0)" }.joined(separator: " ")
        let text = "RMSG $G foo | \(queues) 1\r\nx\r\n"
        XCTAssertGreaterThan(text.utf8.count, 4096)
        XCTAssertEqual(ops(of: text).count, 1)
        XCTAssertEqual(failure(of: "RS+ $G " + String(repeating: "a", count: 70_000) + "\r\n"), .maxControlLineExceeded)
        XCTAssertEqual(failure(of: "RS+ $G " + String(repeating: "a", count: 70_000)), .maxControlLineExceeded)
        XCTAssertEqual(failure(of: "RS+ $G " + String(repeating: "a", count: 600) + "\r\n",
                               parser: WireParser(maxControlLine: 32, dialect: .route(accountInOps: true))),
                       .maxControlLineExceeded)
    }

    func testGarbageNeverCrashes() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("RSLMGHPINO+-|$ \r\n\t0123456789.*>{}".utf8)
        for _ in 0..<2000 {
            let length = Int(generator.next() % 64)
            let bytes = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            for parser in [Self.full, Self.pinned] {
                var feeder = StreamingFeeder(parser: parser)
                feeder.feed(bytes)
                for op in feeder.ops { XCTAssertFalse(op.isEmpty) }
            }
        }
    }
}
