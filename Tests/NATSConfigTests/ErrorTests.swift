import Foundation
import XCTest
@testable import NATSConfig

final class ErrorTests: XCTestCase {
    func testConfigErrorDescription() {
        let error = ConfigError("unknown field \"x\"", at: SourcePosition(file: "main.conf", line: 2, column: 1))
        XCTAssertEqual(error.description, "main.conf:2:1: unknown field \"x\"")
        XCTAssertEqual(error.errorDescription, "main.conf:2:1: unknown field \"x\"")
        XCTAssertEqual(error.localizedDescription, "main.conf:2:1: unknown field \"x\"")
        XCTAssertEqual(ConfigError(position: SourcePosition(file: "f", line: 3, column: 4), message: "m"),
                       ConfigError("m", at: SourcePosition(file: "f", line: 3, column: 4)))
        XCTAssertEqual(ConfigError("gone", at: SourcePosition(file: "f.conf", line: 0, column: 0)).description,
                       "f.conf: gone")
        XCTAssertEqual(SourcePosition(file: "a.conf", line: 10, column: 7).description, "a.conf:10:7")
    }

    func testNodeErrorHelper() throws {
        let root = try parse("\n  port = -1")
        let entry = try XCTUnwrap(root.entry(forKey: "port"))
        XCTAssertEqual(entry.node.error("port must be positive").description, "test.conf:2:10: port must be positive")
        XCTAssertEqual(ConfigError("unknown field \"\(entry.key)\"", at: entry.keyPosition).description,
                       "test.conf:2:3: unknown field \"port\"")
    }

    func testUnterminatedStrings() {
        assertParseError("a = 1\nx = \"abc", "test.conf:2:5: unterminated double-quoted string")
        assertParseError("a = 1\nx = 'abc\n", "test.conf:2:5: unterminated single-quoted string")
        assertParseError("x = \"abc\\", "test.conf:1:5: unterminated double-quoted string")
        assertParseError("\"key = 1", "test.conf:1:1: unterminated quoted key")
        assertParseError("'key\n= 1", "test.conf:1:1: unterminated quoted key")
    }

    func testUnterminatedBlock() {
        assertParseError("a = (\nfoo\n", "test.conf:1:5: unterminated block string; a block must end with ')' alone on a line")
        assertParseError("a = (foo)", "test.conf:1:5: unterminated block string; a block must end with ')' alone on a line")
        assertParseError("a = (\nfoo\n )x\n", "test.conf:1:5: unterminated block string; a block must end with ')' alone on a line")
    }

    func testUnbalancedBrackets() {
        assertParseError("a {\n b = 1\n", "test.conf:1:3: unterminated map: missing '}'")
        assertParseError("a = [1, 2", "test.conf:1:5: unterminated array: missing ']'")
        assertParseError("a = [1, 2\n", "test.conf:1:5: unterminated array: missing ']'")
        assertParseError("}", "test.conf:1:1: unexpected '}' without a matching '{'")
        assertParseError("a = 1\n}", "test.conf:2:1: unexpected '}' without a matching '{'")
        assertParseError("a = [1 }", "test.conf:1:8: expected ',' or ']' after an array element but found '}'")
        assertParseError("a = [1, }", "test.conf:1:9: expected a value but found '}'")
        assertParseError("a { b = ] }", "test.conf:1:9: expected a value for key 'b' but found ']'")
        assertParseError("a { ] }", "test.conf:1:5: expected a key but found ']'")
        assertParseError("{ a = 1 } b", "test.conf:1:11: unexpected 'b' after the closing '}' of the top-level map")
        assertParseError("{ a = 1", "test.conf:1:1: unterminated map: missing '}'")
    }

    func testMissingValues() {
        assertParseError("a =\n", "test.conf:1:4: expected a value for key 'a' but found new line")
        assertParseError("a = # c", "test.conf:1:5: expected a value for key 'a' but found a comment")
        assertParseError("a", "test.conf:1:2: expected a value for key 'a' but found end of file")
        assertParseError("a\nb = 1", "test.conf:1:2: expected a value for key 'a' but found new line")
        assertParseError("a = ,", "test.conf:1:5: expected a value for key 'a' but found ','")
        assertParseError("= 1", "test.conf:1:1: expected a key but found '='")
    }

    func testGarbageAfterValue() {
        assertParseError("a = 1 2", "test.conf:1:7: expected a new line, ',' or ';' after the value of 'a' but found '2'")
        assertParseError("a = \"x\"y", "test.conf:1:8: expected a new line, ',' or ';' after the value of 'a' but found 'y'")
        assertParseError("m {\n  a = [1] [2]\n}", "test.conf:2:11: expected a new line, ',' or ';' after the value of 'a' but found '['")
        assertParseError("a = x\t\u{01}", "test.conf:1:7: expected a new line, ',' or ';' after the value of 'a' but found character U+1")
    }

    func testArraySeparatorErrors() {
        assertParseError("a = [1,,2]", "test.conf:1:8: unexpected ',' in array (missing element)")
        assertParseError("a = [,]", "test.conf:1:6: unexpected ',' in array (missing element)")
    }

    func testEscapeErrors() {
        assertParseError("a = \"\\q\"", "test.conf:1:6: invalid escape 'q'; only \\t \\n \\r \\\" \\\\ and \\xHH are allowed")
        assertParseError("a = \"\\xZZ\"", "test.conf:1:6: expected two hexadecimal digits after '\\x'")
        assertParseError("a = \"\\x4\"", "test.conf:1:6: expected two hexadecimal digits after '\\x'")
    }

    func testNestingLimit() {
        let depth = ConfigParser.maximumNestingDepth + 1
        assertParseError("a = " + String(repeating: "[", count: depth),
                         "test.conf:1:\(4 + depth): maps and arrays are nested too deeply (limit \(ConfigParser.maximumNestingDepth))")
        let maps = String(repeating: "m {", count: depth)
        assertParseErrorContains(maps, "nested too deeply")
        assertParseErrorContains("a = " + String(repeating: "[{x = ", count: 10_000), "nested too deeply")
    }

    func testErrorsCarryTheFileName() {
        do {
            _ = try ConfigParser.parse(string: "a = [", fileName: "main.conf")
            XCTFail("expected an error")
        } catch let error as ConfigError {
            XCTAssertEqual(error.position, SourcePosition(file: "main.conf", line: 1, column: 5))
            XCTAssertEqual(error.message, "unterminated array: missing ']'")
        } catch {
            XCTFail("\(error)")
        }
        XCTAssertThrowsError(try ConfigParser.parse(string: "a = [")) { error in
            XCTAssertEqual("\(error)", "<string>:1:5: unterminated array: missing ']'")
        }
    }
}
