import NATSClient
import Synchronization
import XCTest

final class PubSubTests: XCTestCase {
    func testPublishSubscribeRoundTrip() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let nc = try await server.connect()
        XCTAssertEqual(nc.serverInfo.port, server.port)
        XCTAssertTrue(nc.serverInfo.headers)
        let sub = try await nc.subscribe(to: "greet.*")
        try nc.publish(subject: "greet.joe", reply: "answer", payload: Array("hello".utf8))
        try nc.publish(subject: "other", payload: Array("nope".utf8))
        try nc.publish(subject: "greet.ann", payload: [])
        try await nc.flush()
        var received: [NATSMessage] = []
        for await message in sub {
            received.append(message)
            if received.count == 2 { break }
        }
        XCTAssertEqual(received[0].subject, "greet.joe")
        XCTAssertEqual(received[0].reply, "answer")
        XCTAssertEqual(received[0].string, "hello")
        XCTAssertNil(received[0].headers)
        XCTAssertEqual(received[1].subject, "greet.ann")
        XCTAssertEqual(received[1].payload, [])
        await nc.close()
        XCTAssertTrue(nc.isClosed)
    }

    func testCallbackSubscriptionAcrossConnections() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let subscriber = try await server.connect()
        let publisher = try await server.connect()
        let count = Atomic<Int>(0)
        let bytes = Atomic<Int>(0)
        _ = try await subscriber.subscribe(to: "load") { message in
            count.add(1, ordering: .relaxed)
            bytes.add(message.payload.count, ordering: .relaxed)
        }
        try await subscriber.flush()
        let payload = [UInt8](repeating: 0x61, count: 1000)
        for _ in 0..<5000 { try publisher.publish(subject: "load", payload: payload) }
        try await publisher.flush()
        try await subscriber.flush()
        XCTAssertEqual(count.load(ordering: .relaxed), 5000)
        XCTAssertEqual(bytes.load(ordering: .relaxed), 5_000_000)
        await publisher.close()
        await subscriber.close()
    }

    func testLargePayloadsSpanningReads() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let nc = try await server.connect()
        let sub = try await nc.subscribe(to: "big")
        let sizes = [0, 1, 4095, 70_000, 300_000, 1_000_000]
        for (i, size) in sizes.enumerated() {
            try nc.publish(subject: "big", payload: [UInt8](repeating: UInt8(i), count: size))
        }
        try await nc.flush()
        var index = 0
        for await message in sub {
            XCTAssertEqual(message.payload.count, sizes[index])
            XCTAssertTrue(message.payload.allSatisfy { $0 == UInt8(index) })
            index += 1
            if index == sizes.count { break }
        }
        await nc.close()
    }

    func testQueueGroupDeliversEachMessageOnce() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let nc = try await server.connect()
        let countsBox = CountsBox(counts: 3)
        for i in 0..<3 {
            _ = try await nc.subscribe(to: "work", queue: "workers") { _ in countsBox.increment(i) }
        }
        for _ in 0..<300 { try nc.publish(subject: "work", payload: [1]) }
        try await nc.flush()
        try await nc.flush()
        let totals = countsBox.values
        XCTAssertEqual(totals.reduce(0, +), 300)
        XCTAssertEqual(totals.filter { $0 > 0 }.count, 3, "random member choice should reach every member: \(totals)")
        await nc.close()
    }

    func testUnsubscribeWithMax() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let nc = try await server.connect()
        let sub = try await nc.subscribe(to: "limited")
        try sub.unsubscribe(max: 3)
        for i in 0..<10 { try nc.publish(subject: "limited", payload: [UInt8(i)]) }
        try await nc.flush()
        var got: [UInt8] = []
        for await message in sub { got.append(contentsOf: message.payload) }
        XCTAssertEqual(got, [0, 1, 2], "the stream ends after max messages")
        await nc.close()
    }

    func testUnsubscribeStopsDelivery() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let nc = try await server.connect()
        let count = Atomic<Int>(0)
        let sub = try await nc.subscribe(to: "stop") { _ in count.add(1, ordering: .relaxed) }
        try nc.publish(subject: "stop")
        try await nc.flush()
        try sub.unsubscribe()
        try nc.publish(subject: "stop")
        try await nc.flush()
        XCTAssertEqual(count.load(ordering: .relaxed), 1)
        await nc.close()
    }

    func testNoEchoOption() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let nc = try await server.connect { $0.echo = false }
        let count = Atomic<Int>(0)
        _ = try await nc.subscribe(to: "self") { _ in count.add(1, ordering: .relaxed) }
        try nc.publish(subject: "self")
        try await nc.flush()
        XCTAssertEqual(count.load(ordering: .relaxed), 0)
        await nc.close()
    }

    func testInvalidSubjectsRejectedLocally() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let nc = try await server.connect()
        XCTAssertThrowsError(try nc.publish(subject: "bad subject")) { error in
            XCTAssertEqual(error as? NATSError, .invalidSubject("bad subject"))
        }
        XCTAssertThrowsError(try nc.publish(subject: ""))
        await nc.close()
        XCTAssertThrowsError(try nc.publish(subject: "after.close")) { error in
            XCTAssertEqual(error as? NATSError, .connectionClosed)
        }
    }
}

/// Per-index counters for callbacks.
final class CountsBox: Sendable {
    private let storage: Mutex<[Int]>
    init(counts: Int) { storage = Mutex(Array(repeating: 0, count: counts)) }
    func increment(_ i: Int) { storage.withLock { $0[i] += 1 } }
    var values: [Int] { storage.withLock { $0 } }
}
