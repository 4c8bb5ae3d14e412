import Foundation
import XCTest
@testable import NATSConfig

final class DurationTests: XCTestCase {
    func testGoDurationSyntax() throws {
        let cases: [(String, Int64)] = [
            ("0", 0), ("-0", 0), ("+0", 0), ("1ns", 1), ("1us", 1_000), ("1µs", 1_000), ("1μs", 1_000),
            ("300ms", 300_000_000), ("2s", 2_000_000_000), ("1m", 60_000_000_000),
            ("1h", 3_600_000_000_000), ("1h30m", 5_400_000_000_000), ("1.5h", 5_400_000_000_000),
            ("2h45m10.5s", 9_910_500_000_000), ("-1.5h", -5_400_000_000_000), ("+5s", 5_000_000_000),
            (".5s", 500_000_000), ("1.s", 1_000_000_000), ("1.000000001s", 1_000_000_001),
            ("0.1ns", 0), ("9223372036854775807ns", Int64.max), ("-9223372036854775808ns", Int64.min),
            ("2562047h", 2_562_047 * 3_600_000_000_000), ("10m0s", 600_000_000_000), ("1s500ms", 1_500_000_000),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try GoDuration.nanoseconds(from: text), expected, text)
        }
        XCTAssertEqual(try GoDuration.parse("1m30s"), .seconds(90))
        let long = try GoDuration.nanoseconds(from: "1.99999999999999999999999999h")
        XCTAssertLessThanOrEqual(abs(long - 7_200_000_000_000), 1, "extra fraction digits are ignored, not an overflow")
    }

    func testGoDurationErrors() {
        let cases: [(String, String)] = [
            ("", "invalid duration \"\""),
            ("5", "invalid duration \"5\": missing unit"),
            ("5x", "invalid duration \"5x\": unknown unit \"x\""),
            ("1h2", "invalid duration \"1h2\": missing unit"),
            ("s", "invalid duration \"s\""),
            ("-", "invalid duration \"-\""),
            (".s", "invalid duration \".s\""),
            ("1 s", "invalid duration \"1 s\": unknown unit \" s\""),
            ("9223372036854775808ns", "invalid duration \"9223372036854775808ns\": out of range"),
            ("2562048h", "invalid duration \"2562048h\": out of range"),
            ("99999999999999999999999h", "invalid duration \"99999999999999999999999h\": out of range"),
            ("9223372036854775808ns9223372036854775808ns",
             "invalid duration \"9223372036854775808ns9223372036854775808ns\": out of range"),
            ("5000000h5000000h", "invalid duration \"5000000h5000000h\": out of range"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try GoDuration.nanoseconds(from: text), text) { error in
                XCTAssertEqual((error as? GoDuration.SyntaxError)?.message, message)
            }
        }
    }

    func testNodeDurations() throws {
        let root = try parse("""
            a = "2s"
            b = 30
            c = 0.5
            d = 500ms
            e = '1h30m'
            f = 1m
            g = -1
            """)
        XCTAssertEqual(try root["a"]?.duration(), .seconds(2))
        XCTAssertEqual(try root["b"]?.duration(), .seconds(30), "a bare integer is seconds")
        XCTAssertEqual(try root["c"]?.duration(), .milliseconds(500), "a float is seconds")
        XCTAssertEqual(try root["d"]?.duration(), .milliseconds(500))
        XCTAssertEqual(try root["e"]?.duration(), .seconds(5400))
        XCTAssertEqual(try root["f"]?.duration(), .seconds(1_000_000), "bare 1m is the integer 1000000, as in nats-server")
        XCTAssertEqual(try root["g"]?.duration(), .seconds(-1))
        XCTAssertEqual(try root["c"]?.timeInterval(), 0.5)
        XCTAssertEqual(try root["a"]?.durationNanoseconds(), 2_000_000_000)
    }

    func testNodeDurationErrorsNameThePosition() throws {
        let root = try parse("a = \"5x\"\nb = true\nc = [1]\nd = 9223372036854775807")
        XCTAssertThrowsError(try root["a"]?.duration()) { error in
            XCTAssertEqual("\(error)", "test.conf:1:5: invalid duration \"5x\": unknown unit \"x\"")
        }
        XCTAssertThrowsError(try root["b"]?.duration()) { error in
            XCTAssertEqual("\(error)", "test.conf:2:5: expected a duration (such as \"2s\" or \"1m30s\") but found a boolean")
        }
        XCTAssertThrowsError(try root["c"]?.duration()) { error in
            XCTAssertEqual("\(error)", "test.conf:3:5: expected a duration (such as \"2s\" or \"1m30s\") but found an array")
        }
        XCTAssertThrowsError(try root["d"]?.duration()) { error in
            XCTAssertEqual("\(error)", "test.conf:4:5: duration of 9223372036854775807 seconds is out of range")
        }
    }
}
