import Foundation
import XCTest
@testable import NATSConfig

/// Parses `text` as "test.conf".
func parse(_ text: String, file: String = "test.conf", baseDirectory: String? = nil) throws -> ConfigNode {
    try ConfigParser.parse(string: text, fileName: file, baseDirectory: baseDirectory)
}

/// Asserts that parsing `text` fails with exactly `expected` as the error description.
func assertParseError(
    _ text: String, _ expected: String, baseDirectory: String? = nil,
    file: StaticString = #filePath, line: UInt = #line
) {
    do {
        let node = try parse(text, baseDirectory: baseDirectory)
        XCTFail("expected error \(expected), parsed \(node)", file: file, line: line)
    } catch let error as ConfigError {
        XCTAssertEqual(error.description, expected, file: file, line: line)
    } catch {
        XCTFail("unexpected error type \(error)", file: file, line: line)
    }
}

/// Asserts that parsing fails with a ConfigError whose description contains `fragment`.
func assertParseErrorContains(
    _ text: String, _ fragment: String, baseDirectory: String? = nil,
    file: StaticString = #filePath, line: UInt = #line
) {
    do {
        let node = try parse(text, baseDirectory: baseDirectory)
        XCTFail("expected error containing \(fragment), parsed \(node)", file: file, line: line)
    } catch let error as ConfigError {
        XCTAssertTrue(error.description.contains(fragment), "\(error.description)", file: file, line: line)
    } catch {
        XCTFail("unexpected error type \(error)", file: file, line: line)
    }
}

func pos(_ line: Int, _ column: Int, _ file: String = "test.conf") -> SourcePosition {
    SourcePosition(file: file, line: line, column: column)
}

/// A fresh temporary directory, removed by the caller.
func makeTemporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "natsconfig-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func write(_ text: String, to path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}

/// Deterministic pseudo-random numbers (SplitMix64) for reproducible fuzzing.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
