import NATSWire
import XCTest

final class WireParserTests: XCTestCase {
    let stream = Array((
        "CONNECT {\"verbose\":false}\r\n" +
        "PUB foo 5\r\nhello\r\n" +
        "pub foo.bar  reply.to\t3\r\nabc\r\n" +
        "HPUB h 12 14\r\nNATS/1.0\r\n\r\nhi\r\n" +
        "HPUB h r 12 12\r\nNATS/1.0\r\n\r\n\r\n" +
        "SUB foo 1\r\nSUB foo q 2\nUNSUB 1\r\nUNSUB 2 10\r\n" +
        "MSG foo 1 5\r\nworld\r\nMSG foo 1 r 0\r\n\r\n" +
        "HMSG foo 9 12 13\r\nNATS/1.0\r\n\r\nx\r\nHMSG a 9 r 12 12\r\nNATS/1.0\r\n\r\n\r\n" +
        "PING\r\nPONG\r\n+OK\r\n-ERR 'Unknown Protocol Operation'\r\nINFO {\"a\":1}\r\n" +
        "PUB empty 0\r\n\r\n"
    ).utf8)

    let expected = [
        "CONNECT[{\"verbose\":false}]",
        "PUB[foo||-1|hello]",
        "PUB[foo.bar|reply.to|-1|abc]",
        "PUB[h||12|NATS/1.0\r\n\r\nhi]",
        "PUB[h|r|12|NATS/1.0\r\n\r\n]",
        "SUB[foo||1]", "SUB[foo|q|2]", "UNSUB[1|-]", "UNSUB[2|10]",
        "MSG[foo|1||-1|world]", "MSG[foo|1|r|-1|]",
        "MSG[foo|9||12|NATS/1.0\r\n\r\nx]", "MSG[a|9|r|12|NATS/1.0\r\n\r\n]",
        "PING", "PONG", "OK", "ERR['Unknown Protocol Operation']", "INFO[{\"a\":1}]",
        "PUB[empty||-1|]",
    ]

    func testWholeStream() {
        var feeder = StreamingFeeder()
        feeder.feed(stream)
        XCTAssertNil(feeder.failure)
        XCTAssertEqual(feeder.ops, expected)
        XCTAssertTrue(feeder.pending.isEmpty)
    }

    func testSplitAtEveryByte() {
        for cut in 0...stream.count {
            var feeder = StreamingFeeder()
            feeder.feed(Array(stream[..<cut]))
            feeder.feed(Array(stream[cut...]))
            XCTAssertNil(feeder.failure, "cut at \(cut)")
            XCTAssertEqual(feeder.ops, expected, "cut at \(cut)")
        }
    }

    func testOneByteAtATime() {
        var feeder = StreamingFeeder()
        for byte in stream { feeder.feed([byte]) }
        XCTAssertEqual(feeder.ops, expected)
    }

    func failure(of text: String, parser: WireParser = WireParser()) -> WireError? {
        var feeder = StreamingFeeder(parser: parser)
        feeder.feed(Array(text.utf8))
        return feeder.failure
    }

    func testUnknownOperations() {
        for text in ["FOO bar\r\n", "\r\n", "PUB\r\n", "UNSUB\r\n", "PUBX foo 1\r\n", "PUB foo 3\r\nabcdef\r\n", "XYZ\n"] {
            XCTAssertEqual(failure(of: text), .unknownOperation, text.debugDescription)
        }
    }

    func testBadArguments() {
        XCTAssertEqual(failure(of: "PUB foo abc\r\n"), .badArguments(op: "PUB"))
        XCTAssertEqual(failure(of: "PUB foo -1\r\n"), .badArguments(op: "PUB"))
        XCTAssertEqual(failure(of: "PUB a b c 1\r\n"), .badArguments(op: "PUB"))
        XCTAssertEqual(failure(of: "SUB foo\r\n"), .badArguments(op: "SUB"))
        XCTAssertEqual(failure(of: "SUB a b c d\r\n"), .badArguments(op: "SUB"))
        XCTAssertEqual(failure(of: "HPUB foo 20 12\r\n"), .badArguments(op: "HPUB"))
        XCTAssertEqual(failure(of: "PUB foo 1234567890\r\n"), .badArguments(op: "PUB"))
        XCTAssertEqual(failure(of: "MSG foo 1\r\n"), .badArguments(op: "MSG"))
    }

    func testLimits() {
        XCTAssertEqual(failure(of: "PUB foo 2000000\r\n"), .maxPayloadExceeded(size: 2_000_000))
        XCTAssertEqual(failure(of: "PUB foo 1025\r\n", parser: WireParser(maxPayload: 1024)), .maxPayloadExceeded(size: 1025))
        XCTAssertEqual(failure(of: "PUB " + String(repeating: "a", count: 5000) + " 1\r\n"), .maxControlLineExceeded)
        XCTAssertEqual(failure(of: "SUB " + String(repeating: "a", count: 5000)), .maxControlLineExceeded)
        XCTAssertNil(failure(of: "SUB " + String(repeating: "a", count: 4000)), "short of the limit waits for more")
        XCTAssertEqual(failure(of: "SUB " + String(repeating: "a", count: 600) + " 1\r\n",
                               parser: WireParser(maxControlLine: 512)), .maxControlLineExceeded)
    }

    func testPingIgnoresTrailingText() {
        var feeder = StreamingFeeder()
        feeder.feed(Array("ping foo\r\nPONG\n".utf8))
        XCTAssertEqual(feeder.ops, ["PING", "PONG"])
    }

    func testGarbageNeverCrashes() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let length = Int(generator.next() % 64)
            let alphabet = Array("PUBSUBHMSGPINGCONNECT +-OKERR \r\n\t0123456789.*>{}".utf8)
            let bytes = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            var feeder = StreamingFeeder()
            feeder.feed(bytes)
            for op in feeder.ops { XCTAssertFalse(op.isEmpty) }
        }
    }
}
