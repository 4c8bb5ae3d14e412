import NATSSubjects
import XCTest

final class TestEntry: SublistEntry, @unchecked Sendable {
    let subject: String
    let queue: String?
    init(_ subject: String, queue: String? = nil) {
        self.subject = subject
        self.queue = queue
    }
}

final class SublistTests: XCTestCase {
    func testSubjectValidation() {
        for valid in ["foo", "foo.bar", "foo.*", "foo.>", ">", "*", "*.*", "foo*.bar", "a.>b", "$SYS.x"] {
            XCTAssertTrue(Subject.isValid(Array(valid.utf8)), valid)
        }
        for invalid in ["", ".", "foo.", ".foo", "foo..bar", "foo.>.bar", "foo bar", "foo\tbar", ">.a"] {
            XCTAssertFalse(Subject.isValid(Array(invalid.utf8)), invalid)
        }
        XCTAssertTrue(Subject.isValidLiteral(Array("foo.bar".utf8)))
        XCTAssertFalse(Subject.isValidLiteral(Array("foo.*".utf8)))
        XCTAssertFalse(Subject.isValidLiteral(Array("foo.>".utf8)))
        XCTAssertTrue(Subject.isValidLiteral(Array("foo.b*".utf8)))
    }

    func testPatternMatching() {
        XCTAssertTrue(Subject.matches(literal: "foo.bar", pattern: "foo.*"))
        XCTAssertFalse(Subject.matches(literal: "foo", pattern: "foo.*"))
        XCTAssertFalse(Subject.matches(literal: "foo.bar.baz", pattern: "foo.*"))
        XCTAssertTrue(Subject.matches(literal: "foo.bar.baz", pattern: "foo.>"))
        XCTAssertFalse(Subject.matches(literal: "foo", pattern: "foo.>"))
        XCTAssertTrue(Subject.matches(literal: "a.b.c", pattern: "*.b.>"))
    }

    func testMatchLiteralAndWildcards() {
        let list = Sublist<TestEntry>()
        let exact = TestEntry("foo.bar")
        let star = TestEntry("foo.*")
        let full = TestEntry("foo.>")
        let all = TestEntry(">")
        let other = TestEntry("bar.*")
        for e in [exact, star, full, all, other] { list.insert(e) }
        XCTAssertEqual(Set(list.match("foo.bar").plain.map(\.subject)), ["foo.bar", "foo.*", "foo.>", ">"])
        XCTAssertEqual(Set(list.match("foo.bar.baz").plain.map(\.subject)), ["foo.>", ">"])
        XCTAssertEqual(Set(list.match("foo").plain.map(\.subject)), [">"])
        XCTAssertEqual(list.count, 5)
    }

    func testQueueGroups() {
        let list = Sublist<TestEntry>()
        let a1 = TestEntry("work", queue: "a")
        let a2 = TestEntry("work", queue: "a")
        let b1 = TestEntry("work.*", queue: "b")
        list.insert(a1); list.insert(a2); list.insert(b1)
        let result = list.match("work")
        XCTAssertTrue(result.plain.isEmpty)
        XCTAssertEqual(result.queues.count, 1)
        XCTAssertEqual(result.queues.first?.count, 2)
        XCTAssertEqual(list.match("work.x").queues.count, 1)
    }

    func testCacheStaysCorrectAcrossInsertAndRemove() {
        let list = Sublist<TestEntry>()
        XCTAssertTrue(list.match("a.b").isEmpty)
        let wildcard = TestEntry("a.*")
        let generation = list.generation
        list.insert(wildcard)
        XCTAssertNotEqual(list.generation, generation)
        XCTAssertEqual(list.match("a.b").plain.count, 1, "cached empty result must be dropped")
        XCTAssertTrue(list.remove(wildcard))
        XCTAssertTrue(list.match("a.b").isEmpty)
        XCTAssertFalse(list.remove(wildcard))
        XCTAssertEqual(list.count, 0)
    }

    func testConcurrentSubscribeUnsubscribeAndMatch() async {
        let list = Sublist<TestEntry>()
        let stable = TestEntry("s.>")
        list.insert(stable)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for i in 0..<2000 {
                        let e = TestEntry("s.\(worker).\(i % 7)")
                        list.insert(e)
                        XCTAssertTrue(list.match("s.\(worker).\(i % 7)").plain.contains { $0 === e })
                        XCTAssertTrue(list.remove(e))
                        XCTAssertFalse(list.match("s.\(worker).\(i % 7)").plain.contains { $0 === e })
                    }
                }
            }
        }
        XCTAssertEqual(list.count, 1)
        XCTAssertEqual(list.match("s.1.2").plain.count, 1)
    }
}
