import Foundation
import XCTest
@testable import NATSConfig

final class IncludeTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
        super.tearDown()
    }

    func testIncludeRelativeToIncludingFile() throws {
        try write("""
            port: 4222
            include ./auth/users.conf
            cluster {
              include "cluster.conf"
            }
            after = 1
            """, to: directory + "/main.conf")
        try write("authorization { user: a }\ninclude '../shared.conf'\n", to: directory + "/auth/users.conf")
        try write("shared = yes\n", to: directory + "/shared.conf")
        try write("name = c1\nport = 6222\n", to: directory + "/cluster.conf")

        let root = try ConfigParser.parse(fileAt: directory + "/main.conf")
        XCTAssertEqual(root.keys, ["port", "authorization", "shared", "cluster", "after"])
        XCTAssertEqual(root["authorization"]?["user"]?.string, "a")
        XCTAssertEqual(root["shared"]?.bool, true)
        XCTAssertEqual(root["cluster"]?.keys, ["name", "port"])
        XCTAssertEqual(root["cluster"]?["port"]?.int, 6222)

        XCTAssertEqual(root.entry(forKey: "port")?.keyPosition, pos(1, 1, directory + "/main.conf"))
        XCTAssertEqual(root.entry(forKey: "authorization")?.keyPosition, pos(1, 1, directory + "/auth/users.conf"))
        XCTAssertEqual(root.entry(forKey: "shared")?.node.position, pos(1, 10, directory + "/shared.conf"))
        XCTAssertEqual(root["cluster"]?.entry(forKey: "port")?.keyPosition, pos(2, 1, directory + "/cluster.conf"))
    }

    func testIncludeFromStringUsesBaseDirectory() throws {
        try write("a = 1", to: directory + "/sub/a.conf")
        let root = try parse("include sub/a.conf\nb = 2", baseDirectory: directory)
        XCTAssertEqual(root["a"]?.int, 1)
        XCTAssertEqual(root["b"]?.int, 2)
        XCTAssertEqual(root.entry(forKey: "a")?.keyPosition.file, directory + "/sub/a.conf")
    }

    func testIncludeWithRelativeFileNameGivesRelativePositions() throws {
        try write("include 'inc/x.conf'\n", to: directory + "/conf/main.conf")
        try write("x = 1\ny = oops oops\n", to: directory + "/conf/inc/x.conf")
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(directory))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        XCTAssertThrowsError(try ConfigParser.parse(fileAt: "conf/main.conf")) { error in
            XCTAssertEqual("\(error)", "conf/inc/x.conf:2:10: expected a new line, ',' or ';' after the value of 'y' but found 'o'")
        }
    }

    func testIncludedVariablesAreVisibleAndTracked() throws {
        try write("TOKEN = s3cret\nUNUSED = 1\n", to: directory + "/vars.conf")
        try write("include vars.conf\nauthorization { token: $TOKEN }\n", to: directory + "/main.conf")
        let root = try ConfigParser.parse(fileAt: directory + "/main.conf")
        XCTAssertEqual(root["authorization"]?["token"]?.string, "s3cret")
        XCTAssertEqual(root.entry(forKey: "TOKEN")?.isUsedAsVariable, true)
        XCTAssertEqual(root.entry(forKey: "UNUSED")?.isUsedAsVariable, false)
    }

    func testIncludedFileDoesNotSeeIncludingScope() throws {
        // As in nats-server, an included file is parsed on its own.
        try write("v = $OUTER_ONLY_STARLING\n", to: directory + "/inner.conf")
        try write("OUTER_ONLY_STARLING = 1\ninclude inner.conf\n", to: directory + "/main.conf")
        XCTAssertThrowsError(try ConfigParser.parse(fileAt: directory + "/main.conf")) { error in
            XCTAssertEqual("\(error)", "\(directory)/inner.conf:1:5: variable reference for 'OUTER_ONLY_STARLING' on line 1 can not be found")
        }
    }

    func testMissingInclude() throws {
        try write("a = 1\ninclude   nope.conf\n", to: directory + "/main.conf")
        XCTAssertThrowsError(try ConfigParser.parse(fileAt: directory + "/main.conf")) { error in
            XCTAssertEqual("\(error)", "\(directory)/main.conf:2:11: cannot include 'nope.conf': no such file '\(directory)/nope.conf'")
        }
    }

    func testIncludeOfDirectoryIsAnError() throws {
        try FileManager.default.createDirectory(atPath: directory + "/dir", withIntermediateDirectories: true)
        assertParseError("include dir", "test.conf:1:9: cannot include 'dir': '\(directory)/dir' is a directory",
                         baseDirectory: directory)
    }

    func testIncludeCycle() throws {
        try write("a = 1\ninclude b.conf\n", to: directory + "/a.conf")
        try write("include \"./a.conf\"\n", to: directory + "/b.conf")
        XCTAssertThrowsError(try ConfigParser.parse(fileAt: directory + "/a.conf")) { error in
            XCTAssertEqual("\(error)",
                           "\(directory)/b.conf:1:9: include cycle: \(directory)/a.conf -> \(directory)/b.conf -> \(directory)/a.conf")
        }
    }

    func testSelfIncludeFromString() throws {
        try write("include self.conf\n", to: directory + "/self.conf")
        assertParseErrorContains("include self.conf", "include cycle", baseDirectory: directory)
    }

    func testIncludeDepthLimit() throws {
        for i in 0..<40 {
            try write("include f\(i + 1).conf\n", to: directory + "/f\(i).conf")
        }
        try write("end = 1\n", to: directory + "/f40.conf")
        XCTAssertThrowsError(try ConfigParser.parse(fileAt: directory + "/f0.conf")) { error in
            XCTAssertTrue("\(error)".contains("includes are nested too deeply"), "\(error)")
        }
        XCTAssertEqual(try ConfigParser.parse(fileAt: directory + "/f30.conf")["end"]?.int, 1)
    }

    func testIncludeSyntaxErrors() {
        assertParseError("include [a]", "test.conf:1:9: expected an include path but found '['")
        assertParseError("include \"unterminated", "test.conf:1:9: unterminated include path")
        assertParseError("include 'x' extra", "test.conf:1:13: expected a new line, ',' or ';' after the value of 'include' but found 'e'")
    }

    func testMissingTopLevelFile() {
        let path = directory + "/missing.conf"
        XCTAssertThrowsError(try ConfigParser.parse(fileAt: path)) { error in
            XCTAssertEqual("\(error)", "\(path): cannot read configuration file: no such file '\(path)'")
            XCTAssertEqual((error as? ConfigError)?.position.line, 0)
        }
    }

    func testInvalidUTF8FileDoesNotCrash() throws {
        let path = directory + "/bad.conf"
        try Data([0x61, 0x20, 0x3D, 0x20, 0xFF, 0xFE, 0x0A]).write(to: URL(fileURLWithPath: path))
        let root = try ConfigParser.parse(fileAt: path)
        XCTAssertEqual(root["a"]?.string, "\u{FFFD}\u{FFFD}")
    }
}
