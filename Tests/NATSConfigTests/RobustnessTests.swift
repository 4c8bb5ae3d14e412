import Foundation
import XCTest
@testable import NATSConfig

/// Malformed input must produce a `ConfigError` or a tree, never a crash or hang.
final class RobustnessTests: XCTestCase {
    private let nowhere = "/nonexistent-natsconfig-base"

    private func attempt(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try ConfigParser.parse(string: text, fileName: "fuzz.conf", baseDirectory: nowhere)
        } catch is ConfigError {
            // expected for most inputs
        } catch {
            XCTFail("unexpected error type \(type(of: error)): \(error)", file: file, line: line)
        }
    }

    func testEveryPrefixOfRealisticConfig() {
        let scalars = Array(realisticConfig.unicodeScalars)
        var parsed = 0
        for length in 0...scalars.count {
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars[0..<length])
            if (try? ConfigParser.parse(string: text, baseDirectory: nowhere)) != nil { parsed += 1 }
            attempt(text)
        }
        XCTAssertGreaterThan(parsed, 0)
    }

    func testEverySuffixOfRealisticConfig() {
        let scalars = Array(realisticConfig.unicodeScalars)
        for start in stride(from: 0, through: scalars.count, by: 3) {
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars[start...])
            attempt(text)
        }
    }

    func testRandomByteStrings() {
        var rng = SplitMix64(state: 0x5EED)
        let structural = Array("{}[]()=:;,#/\"'\\$ \t\n\r-.0123456789abkmgxTZ".utf8)
        for _ in 0..<3_000 {
            let length = Int.random(in: 0...120, using: &rng)
            var bytes: [UInt8] = []
            for _ in 0..<length {
                if Bool.random(using: &rng) {
                    bytes.append(structural.randomElement(using: &rng)!)
                } else {
                    bytes.append(UInt8.random(in: 0...255, using: &rng))
                }
            }
            attempt(String(decoding: bytes, as: UTF8.self))
        }
    }

    func testRandomMutationsOfRealisticConfig() {
        var rng = SplitMix64(state: 42)
        let original = Array(realisticConfig.utf8)
        let interesting = Array("{}[]()=:;,#/\"'\\$\n".utf8)
        for _ in 0..<400 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let index = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[index] = interesting.randomElement(using: &rng)!
                case 1: bytes.remove(at: index)
                default: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: index)
                }
            }
            attempt(String(decoding: bytes, as: UTF8.self))
        }
    }

    func testPathologicalInputs() {
        let inputs = [
            String(repeating: "[", count: 100_000),
            String(repeating: "{", count: 100_000),
            "a = " + String(repeating: "{", count: 100_000),
            "a " + String(repeating: "(", count: 1_000),
            String(repeating: "}", count: 1_000),
            String(repeating: "\"", count: 1_001),
            String(repeating: "a = $a\n", count: 100),
            "a = (\n" + String(repeating: ")x\n", count: 1_000),
            "include",
            "include ",
            "include \"",
            "include {",
            "$",
            "\u{0}\u{0}\u{0}",
            "a = \"\\x",
            "a = \"\\",
            "a = [\n#",
            "a = 1e",
            "\u{FEFF}",
            "// only a comment",
            "/",
            "a = /",
            "a: b: c",
            "a = 2006-01-02T15:04:05",
            "a = 9999-99-99T99:99:99Z",
        ]
        for input in inputs { attempt(input) }
    }

    func testMaximumNestingFitsInASmallThreadStack() {
        final class Outcome: @unchecked Sendable {
            var description = "not run"
        }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let depth = ConfigParser.maximumNestingDepth
        let thread = Thread {
            let maps = String(repeating: "m {", count: depth) + String(repeating: "}", count: depth)
            let arrays = "a = " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            do {
                _ = try ConfigParser.parse(string: maps)
                _ = try ConfigParser.parse(string: arrays)
                outcome.description = "ok"
            } catch {
                outcome.description = "\(error)"
            }
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
        done.wait()
        XCTAssertEqual(outcome.description, "ok")
    }
}
