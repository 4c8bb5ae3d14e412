import XCTest
@testable import Starling

/// What routes are told as local interest changes (nats-server route.go:
/// updateRouteSubscriptionMap), and which pool slot carries an account.
final class InterestTests: XCTestCase {
    func testPlainSubjectIsAnnouncedOnceAndWithdrawnWithItsLastSubscription() {
        var ledger = InterestLedger()
        let key = InterestKey(subject: "orders.>", queue: nil)
        XCTAssertEqual(ledger.apply(1, to: key), 1, "first subscription: RS+")
        XCTAssertNil(ledger.apply(1, to: key), "second: nothing new")
        XCTAssertNil(ledger.apply(-1, to: key), "one left: nothing")
        XCTAssertEqual(ledger.apply(-1, to: key), 0, "last gone: RS-")
        XCTAssertTrue(ledger.counts.isEmpty)
        XCTAssertNil(ledger.apply(-1, to: key), "an extra removal stays silent")
    }

    func testQueueGroupIsAnnouncedWithEveryNewWeight() {
        var ledger = InterestLedger()
        let key = InterestKey(subject: "jobs", queue: "workers")
        XCTAssertEqual(ledger.apply(1, to: key), 1)
        XCTAssertEqual(ledger.apply(1, to: key), 2)
        XCTAssertEqual(ledger.apply(1, to: key), 3)
        XCTAssertEqual(ledger.apply(-1, to: key), 2)
        XCTAssertEqual(ledger.apply(-2, to: key), 0, "weight 0: RS-")
    }

    func testPoolIndexIsFNV1a32ModuloPoolSize() {
        // FNV-1a 32 of "a" is 0xe40c292c (the published test vector): 3826002220 % 3 == 1.
        XCTAssertEqual(Cluster.poolIndex(of: "a", poolSize: 3), 3_826_002_220 % 3)
        XCTAssertEqual(Cluster.poolIndex(of: "a", poolSize: 7), 3_826_002_220 % 7)
        XCTAssertEqual(Cluster.poolIndex(of: "anything", poolSize: 0), 0, "no pool: one link")
        let spread = Set((0..<64).map { Cluster.poolIndex(of: "account-\($0)", poolSize: 3) })
        XCTAssertEqual(spread, [0, 1, 2], "accounts spread over every slot")
    }
}
