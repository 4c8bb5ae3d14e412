import NATSClient
import Synchronization
import XCTest

final class ConnectionTests: XCTestCase {
    func testURLParsing() throws {
        let a = try NATSClientOptions(url: "nats://alice:s3cret@example.org:4333")
        XCTAssertEqual(a.host, "example.org")
        XCTAssertEqual(a.port, 4333)
        XCTAssertEqual(a.user, "alice")
        XCTAssertEqual(a.password, "s3cret")
        let b = try NATSClientOptions(url: "nats://tok3n@127.0.0.1")
        XCTAssertEqual(b.token, "tok3n")
        XCTAssertNil(b.user)
        XCTAssertEqual(b.port, 4222)
        let c = try NATSClientOptions(url: "[::1]:5222")
        XCTAssertEqual(c.host, "::1")
        XCTAssertEqual(c.port, 5222)
        XCTAssertThrowsError(try NATSClientOptions(url: "http://x:1"))
        XCTAssertThrowsError(try NATSClientOptions(url: "nats://x:99999"))
    }

    func testHeaderEncodingAndParsing() throws {
        let block = NATSHeaders([("A", "1"), ("B", "two words")]).encoded()
        XCTAssertEqual(String(decoding: block, as: UTF8.self), "NATS/1.0\r\nA: 1\r\nB: two words\r\n\r\n")
        let status = Array("NATS/1.0 503\r\n\r\n".utf8)
        let parsed = status.withUnsafeBytes { NATSHeaders(parsing: $0) }
        XCTAssertEqual(parsed?.status, 503)
        XCTAssertEqual(parsed?.fields.count, 0)
        let described = Array("NATS/1.0 408 Request Timeout\r\nX: y\r\n\r\n".utf8)
        let p2 = described.withUnsafeBytes { NATSHeaders(parsing: $0) }
        XCTAssertEqual(p2?.status, 408)
        XCTAssertEqual(p2?.statusDescription, "Request Timeout")
        XCTAssertEqual(p2?["X"], "y")
    }

    func testFlushCompletes() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let nc = try await server.connect()
        for _ in 0..<1000 { try nc.publish(subject: "nowhere", payload: [1, 2, 3]) }
        try await nc.flush(timeout: .seconds(5))
        try await nc.flush(timeout: .seconds(5))
        await nc.close()
    }

    func testServerErrorIsSurfaced() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let seen = Mutex<[NATSError]>([])
        let nc = try await server.connect { options in
            options.errorHandler = { error in seen.withLock { $0.append(error) } }
        }
        _ = try await nc.subscribe(to: "bad..subject") { _ in }
        try await nc.flush()
        XCTAssertEqual(nc.lastError, .serverError("Invalid Subject"))
        XCTAssertEqual(seen.withLock { $0 }, [.serverError("Invalid Subject")])
        XCTAssertFalse(nc.isClosed, "a non-fatal -ERR keeps the connection")
        await nc.close()
    }

    func testFatalServerErrorFailsPendingFlush() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let nc = try await server.connect()
        // Raw bytes the server cannot parse: it answers -ERR and closes.
        var garbage = nc.channel.allocator.buffer(capacity: 16)
        garbage.writeString("BOGUS\r\n")
        nc.sendEncoded(garbage)
        do {
            try await nc.flush(timeout: .seconds(5))
            XCTFail("expected the flush to fail")
        } catch let error as NATSError {
            XCTAssertEqual(error, .serverError("Unknown Protocol Operation"))
        }
        _ = try? await nc.closeFuture.get()
        XCTAssertTrue(nc.isClosed)
    }

    func testDrainDeliversInFlightMessages() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let subscriber = try await server.connect()
        let publisher = try await server.connect()
        let count = Atomic<Int>(0)
        _ = try await subscriber.subscribe(to: "drain") { _ in count.add(1, ordering: .relaxed) }
        try await subscriber.flush()
        for _ in 0..<2000 { try publisher.publish(subject: "drain", payload: [0]) }
        try await publisher.flush()
        try await subscriber.drain()
        XCTAssertEqual(count.load(ordering: .relaxed), 2000)
        XCTAssertTrue(subscriber.isClosed)
        await publisher.close()
    }

    func testConnectFailsWithoutServer() async throws {
        let server = try TestServer()
        let port = server.port
        server.stop()
        do {
            _ = try await NATSConnection.connect(url: "nats://127.0.0.1:\(port)")
            XCTFail("expected connect to fail")
        } catch {}
    }
}
