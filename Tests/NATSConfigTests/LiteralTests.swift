import Foundation
import XCTest
@testable import NATSConfig

final class LiteralTests: XCTestCase {
    func testDoubleQuotedEscapes() throws {
        let root = try parse(#"a = "x\ty\n\"q\"\\\x41\r""#)
        XCTAssertEqual(root["a"]?.string, "x\ty\n\"q\"\\A\r")
    }

    func testHexEscapesBuildUTF8() throws {
        XCTAssertEqual(try parse(#"a = "caf\xc3\xa9""#)["a"]?.string, "café")
    }

    func testDoubleQuotedMayContainCommentMarkersAndSpanLines() throws {
        let root = try parse("a = \"# not a comment // nor this\"\nb = \"two\nlines\"")
        XCTAssertEqual(root["a"]?.string, "# not a comment // nor this")
        XCTAssertEqual(root["b"]?.string, "two\nlines")
    }

    func testSingleQuotedIsRaw() throws {
        let root = try parse(#"a = 'C:\temp\new $HOME "x"'"#)
        XCTAssertEqual(root["a"]?.string, #"C:\temp\new $HOME "x""#)
    }

    func testBareStrings() throws {
        let root = try parse("""
            a = hello
            b = nats://localhost:4222
            c = 127.0.0.1
            d = 1.2.3.4:4222
            e = 500ms
            f = 10s
            g = 1.5h
            h = -
            i = orders.*.>
            j = 2006-01-02
            """)
        XCTAssertEqual(root["a"]?.string, "hello")
        XCTAssertEqual(root["b"]?.string, "nats://localhost:4222")
        XCTAssertEqual(root["c"]?.string, "127.0.0.1")
        XCTAssertEqual(root["d"]?.string, "1.2.3.4:4222")
        XCTAssertEqual(root["e"]?.string, "500ms")
        XCTAssertEqual(root["f"]?.string, "10s")
        XCTAssertEqual(root["g"]?.string, "1.5h")
        XCTAssertEqual(root["h"]?.string, "-")
        XCTAssertEqual(root["i"]?.string, "orders.*.>")
        XCTAssertEqual(root["j"]?.string, "2006-01-02")
    }

    func testBareStringMayContainHash() throws {
        // As in nats-server, '#' only starts a comment where a key or a value
        // terminator is expected.
        let root = try parse("a = abc#def # comment")
        XCTAssertEqual(root["a"]?.string, "abc#def")
    }

    func testBooleans() throws {
        let root = try parse("a = true\nb = FALSE\nc = Yes\nd = no\ne = ON\nf = off\ng = \"true\"\nh = 'off'")
        XCTAssertEqual(root["a"]?.bool, true)
        XCTAssertEqual(root["b"]?.bool, false)
        XCTAssertEqual(root["c"]?.bool, true)
        XCTAssertEqual(root["d"]?.bool, false)
        XCTAssertEqual(root["e"]?.bool, true)
        XCTAssertEqual(root["f"]?.bool, false)
        XCTAssertEqual(root["g"]?.kind, .string)
        XCTAssertEqual(root["g"]?.string, "true")
        XCTAssertEqual(root["h"]?.string, "off")
    }

    func testIntegers() throws {
        let root = try parse("a = 0\nb = -17\nc = +5\nd = 4222\ne = -9223372036854775808\nf = 9223372036854775807")
        XCTAssertEqual(root["a"]?.int, 0)
        XCTAssertEqual(root["b"]?.int, -17)
        XCTAssertEqual(root["c"]?.int, 5)
        XCTAssertEqual(root["d"]?.int, 4222)
        XCTAssertEqual(root["d"]?.kind, .integer)
        XCTAssertEqual(root["e"]?.int64, Int64.min)
        XCTAssertEqual(root["f"]?.int64, Int64.max)
        XCTAssertEqual(root["d"]?.double, 4222)
    }

    func testSizeSuffixes() throws {
        let cases: [(String, Int64)] = [
            ("1k", 1000), ("1K", 1000), ("1kb", 1024), ("1KB", 1024), ("2ki", 2048), ("1KiB", 1024),
            ("1m", 1_000_000), ("1M", 1_000_000), ("1mb", 1 << 20), ("1Mi", 1 << 20), ("3MiB", 3 << 20),
            ("1g", 1_000_000_000), ("1GB", 1 << 30), ("1gi", 1 << 30), ("10GiB", 10 << 30),
            ("1t", 1_000_000_000_000), ("1TB", 1 << 40), ("1ti", 1 << 40), ("1tib", 1 << 40),
            ("1p", 1_000_000_000_000_000), ("1pb", 1 << 50), ("1Pi", 1 << 50), ("1pib", 1 << 50),
            ("1e", 1_000_000_000_000_000_000), ("1EB", 1 << 60), ("1ei", 1 << 60), ("7eib", 7 << 60),
            ("-2k", -2000), ("64K", 64_000), ("0mb", 0),
        ]
        for (literal, expected) in cases {
            let root = try parse("v = \(literal)")
            XCTAssertEqual(root["v"]?.int64, expected, literal)
        }
        XCTAssertEqual(try parse("v = 1x")["v"]?.string, "1x")
        XCTAssertEqual(try parse("v = 1kbb")["v"]?.string, "1kbb")
    }

    func testIntegerOutOfRange() {
        assertParseError("a = 9223372036854775808", "test.conf:1:5: integer '9223372036854775808' is out of range")
        assertParseError("a = 10e", "test.conf:1:5: integer '10e' is out of range")
        assertParseError("a = 9000000000000GB", "test.conf:1:5: integer '9000000000000GB' is out of range")
    }

    func testFloats() throws {
        let root = try parse("a = 0.5\nb = -2.25\nc = 3.0\nd = +1.5")
        XCTAssertEqual(root["a"]?.double, 0.5)
        XCTAssertEqual(root["a"]?.kind, .float)
        XCTAssertEqual(root["b"]?.double, -2.25)
        XCTAssertEqual(root["c"]?.double, 3.0)
        XCTAssertEqual(root["d"]?.double, 1.5)
        XCTAssertNil(root["a"]?.int)
    }

    func testFloatsNeedLeadingDigit() {
        assertParseError("a = .5", "test.conf:1:5: floats must start with a digit, but found '.5'")
        assertParseError("a = -.5", "test.conf:1:5: floats must start with a digit, but found '-.5'")
    }

    func testFloatOutOfRange() {
        let huge = String(repeating: "9", count: 400) + ".0"
        assertParseError("a = \(huge)", "test.conf:1:5: float '\(huge)' is out of range")
    }

    func testDatetime() throws {
        let root = try parse("a = 2006-01-02T15:04:05Z\nb = 2000-02-29T00:00:00Z")
        XCTAssertEqual(root["a"]?.kind, .date)
        XCTAssertEqual(root["a"]?.date, Date(timeIntervalSince1970: 1_136_214_245))
        XCTAssertEqual(root["b"]?.date, Date(timeIntervalSince1970: 951_782_400))
        XCTAssertEqual(try parse("a = \"2006-01-02T15:04:05Z\"")["a"]?.kind, .string)
    }

    func testInvalidDatetime() {
        assertParseError("a = 2006-13-02T15:04:05Z", "test.conf:1:5: invalid datetime '2006-13-02T15:04:05Z'")
        assertParseError("a = 2001-02-29T15:04:05Z", "test.conf:1:5: invalid datetime '2001-02-29T15:04:05Z'")
    }

    func testBlockString() throws {
        let root = try parse("""
            key (
            line one
              line two (with parens)
             )
            )
            next = 1
            """)
        XCTAssertEqual(root["key"]?.string, "\nline one\n  line two (with parens)\n )\n")
        XCTAssertEqual(root["next"]?.int, 1)
    }

    func testBlockStringAtEndOfFileAndCRLF() throws {
        XCTAssertEqual(try parse("k = (\nabc\n)")["k"]?.string, "\nabc\n")
        XCTAssertEqual(try parse("k = (\r\nabc\r\n)\r\nn = 2")["k"]?.string, "\r\nabc\r\n")
        XCTAssertEqual(try parse("k = (\r\nabc\r\n)\r\nn = 2")["n"]?.int, 2)
    }

    func testBlockStringInsideMap() throws {
        let root = try parse("m {\n  pem: (\n-----BEGIN-----\nxyz\n)\n  other: 1\n}")
        XCTAssertEqual(root["m"]?["pem"]?.string, "\n-----BEGIN-----\nxyz\n")
        XCTAssertEqual(root["m"]?["other"]?.int, 1)
    }
}
