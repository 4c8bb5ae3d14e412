@testable import NATSClient
import NIOCore
import NIOEmbedded
import Synchronization
import XCTest

/// The channel handler must give the same messages however the server's bytes are split
/// into reads (partial frames are carried over, then completed with as little copying as possible).
final class InboundSplitTests: XCTestCase {
    private let stream: [UInt8] = {
        var s = "INFO {\"server_id\":\"X\",\"version\":\"2.10.0\",\"headers\":true,\"max_payload\":1048576}\r\n"
        s += "MSG a.b 1 5\r\nhello\r\n"
        s += "PING\r\n"
        s += "MSG a.c 1 reply.to 0\r\n\r\n"
        s += "HMSG a.d 1 22 25\r\nNATS/1.0\r\nK: value\r\n\r\nabc\r\n"
        s += "+OK\r\n"
        s += "MSG a.e 1 \(3000)\r\n" + String(repeating: "z", count: 3000) + "\r\n"
        s += "MSG a.f 2 1\r\nx\r\n"
        return Array(s.utf8)
    }()

    private let expected = ["a.b:5:-", "a.c:0:reply.to", "a.d:3:-:value", "a.e:3000:-"]

    /// Feeds `pieces` of the stream through a fresh handler and returns what sid 1 received.
    private func deliver(_ pieces: [ArraySlice<UInt8>]) throws -> [String] {
        let loop = EmbeddedEventLoop()
        let core = ConnectionCore(options: NATSClientOptions(), eventLoop: loop)
        let handler = NATSChannelHandler(core: core)
        let seen = Mutex<[String]>([])
        handler.add(SubscriptionEntry(sid: 1, subject: "a.*", sink: .callback { m in
            var line = "\(m.subject):\(m.payload.count):\(m.reply ?? "-")"
            if let v = m.headers?["K"] { line += ":\(v)" }
            seen.withLock { $0.append(line) }
        }))
        let channel = EmbeddedChannel(handler: handler, loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4222)).wait()
        for piece in pieces {
            var buffer = channel.allocator.buffer(capacity: piece.count)
            buffer.writeBytes(piece)
            try channel.writeInbound(buffer)
        }
        loop.run()
        XCTAssertNil(core.lastError.withLock { $0 })
        XCTAssertEqual(core.info.withLock { $0?.serverID }, "X")
        _ = try? channel.finish()
        return seen.withLock { $0 }
    }

    func testWholeStream() throws {
        XCTAssertEqual(try deliver([stream[...]]), expected)
    }

    func testSplitAtEveryByte() throws {
        for cut in 1..<stream.count {
            let got = try deliver([stream[..<cut], stream[cut...]])
            XCTAssertEqual(got, expected, "split at \(cut)")
            if got != expected { return }
        }
    }

    func testOneByteAtATime() throws {
        XCTAssertEqual(try deliver(stream.indices.map { stream[$0...$0] }), expected)
    }

    func testThreeWaySplits() throws {
        for first in stride(from: 1, to: stream.count, by: 61) {
            for second in stride(from: first + 1, to: stream.count, by: 37) {
                let got = try deliver([stream[..<first], stream[first..<second], stream[second...]])
                XCTAssertEqual(got, expected, "split at \(first), \(second)")
                if got != expected { return }
            }
        }
    }
}
