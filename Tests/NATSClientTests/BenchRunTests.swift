@testable import starling
import XCTest

/// Short `starling bench` runs against an in-process server: delivery must be complete.
final class BenchRunTests: XCTestCase {
    private func options(_ server: TestServer) -> BenchOptions {
        var o = BenchOptions()
        o.server = server.url
        o.messages = 20_000
        o.size = 64
        o.threads = 2
        o.timeout = .seconds(60)
        return o
    }

    func testPubSubFanOutHasNoLoss() async throws {
        let server = try TestServer()
        defer { server.stop() }
        var o = options(server)
        o.publishers = 2
        o.subscribers = 3
        let report = try await BenchRunner(options: o).run()
        XCTAssertFalse(report.timedOut)
        XCTAssertEqual(report.expected, 2 * 20_000 * 3)
        XCTAssertEqual(report.received, report.expected)
        XCTAssertEqual(report.lost, 0)
        XCTAssertEqual(report.corrupt, 0)
        XCTAssertFalse(report.failed)
        XCTAssertGreaterThan(report.sub?.msgsPerSecond ?? 0, 0)
        XCTAssertEqual(report.serverImplementation, "starling")
        XCTAssertTrue(report.jsonLine().contains("\"lost\":0"))
    }

    func testQueueGroupTotalIsVerified() async throws {
        let server = try TestServer()
        defer { server.stop() }
        var o = options(server)
        o.subscribers = 3
        o.queue = "workers"
        let report = try await BenchRunner(options: o).run()
        XCTAssertEqual(report.expected, 20_000)
        XCTAssertEqual(report.received, 20_000)
        XCTAssertEqual(report.perSubscriber.reduce(0) { $0 + $1.messages }, 20_000)
        XCTAssertFalse(report.failed)
    }

    func testRequestReplyLatency() async throws {
        let server = try TestServer()
        defer { server.stop() }
        var o = options(server)
        o.request = true
        o.subscribers = 2
        o.messages = 500
        let report = try await BenchRunner(options: o).run()
        let latency = try XCTUnwrap(report.latency)
        XCTAssertEqual(latency.requests, 500)
        XCTAssertGreaterThan(latency.p50, 0)
        XCTAssertLessThanOrEqual(latency.p50, latency.p99)
        XCTAssertLessThanOrEqual(latency.p99, latency.max)
        XCTAssertFalse(report.failed)
    }

    func testPublishOnlyCompletes() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let report = try await BenchRunner(options: options(server)).run()
        XCTAssertEqual(report.pub?.messages, 20_000)
        XCTAssertNil(report.sub)
        XCTAssertFalse(report.failed)
    }
}
