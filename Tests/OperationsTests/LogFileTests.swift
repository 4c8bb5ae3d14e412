import Foundation
import Logging
import XCTest
@testable import Starling

final class LogFileTests: XCTestCase {
    private var directory: URL!
    private var path: String { directory.appendingPathComponent("starling.log").path }

    override func setUpWithError() throws {
        directory = try TemporaryDirectory.make()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    func testAppendsAndCountsBytes() throws {
        try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
        let file = try LogFile(path: path)
        XCTAssertEqual(file.size, 4)
        file.write("one\n")
        file.write("two\n")
        XCTAssertEqual(try contents(path), "old\none\ntwo\n")
        XCTAssertEqual(file.size, 12)
    }

    func testCreatedFileHasMode0640() throws {
        let previous = umask(0)
        defer { umask(previous) }
        _ = try LogFile(path: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o640)
    }

    func testRotatesAfterTheWriteThatPassesTheLimit() throws {
        let file = try LogFile(path: path, sizeLimit: 300)
        let line = String(repeating: "x", count: 29) + "\n"  // 30 bytes
        for _ in 0..<10 { file.write(line) }
        XCTAssertEqual(try backups(), [], "300 bytes are within the limit")
        file.write(line)  // 330 > 300: this file becomes the backup, as in nats-server
        let names = try backups()
        XCTAssertEqual(names.count, 1)
        let backup = try XCTUnwrap(names.first)
        XCTAssertEqual(try contents(directory.appendingPathComponent(backup).path), String(repeating: line, count: 11))
        let suffix = backup.dropFirst("starling.log.".count)
        XCTAssertTrue(LogFile.isBackupStamp(suffix), backup)
        XCTAssertNotNil(suffix.range(of: #"^\d{4}\.\d{2}\.\d{2}\.\d{2}\.\d{2}\.\d{2}\.\d{9}$"#, options: .regularExpression))

        let live = try contents(path)
        XCTAssertTrue(live.hasSuffix("[INF] Rotated log, backup saved as \"\(directory.appendingPathComponent(backup).path)\"\n"), live)
        XCTAssertTrue(live.hasPrefix("[\(getpid())] "), live)
        XCTAssertEqual(live.filter { $0 == "\n" }.count, 1)
        XCTAssertEqual(file.size, Int64(live.utf8.count))

        file.write("after\n")
        XCTAssertTrue(try contents(path).hasSuffix("\nafter\n"))
    }

    func testZeroLimitNeverRotates() throws {
        let file = try LogFile(path: path, sizeLimit: 0)
        for _ in 0..<100 { file.write(String(repeating: "y", count: 99) + "\n") }
        XCTAssertEqual(try backups(), [])
        XCTAssertEqual(file.size, 10_000)
    }

    func testMaxFilesKeepsMaxMinusOneBackups() throws {
        let file = try LogFile(path: path, sizeLimit: 10, maxFiles: 3, withTime: false)
        for round in 0..<6 {
            file.write("round \(round) is longer than ten bytes\n")
        }
        let names = try backups()
        XCTAssertEqual(names.count, 2, "logfile_max_num counts the live file: \(names)")
        XCTAssertTrue(try contents(path).contains("[INF] Purged log file \"starling.log."))
        // The newest backups are kept: the last one holds round 5's line.
        let newest = try contents(directory.appendingPathComponent(names.last!).path)
        XCTAssertTrue(newest.contains("round 5"), newest)
    }

    func testPurgeLeavesOtherFilesAlone() throws {
        let keep = ["starling.log.old", "starling.log.2020.01.01.00.00.00", "starling.logx.2020.01.01.00.00.00.000000001", "other.log"]
        for name in keep { try "k\n".write(to: directory.appendingPathComponent(name), atomically: false, encoding: .utf8) }
        try "ancient\n".write(to: directory.appendingPathComponent("starling.log.2000.01.01.00.00.00.000000001"),
                              atomically: false, encoding: .utf8)
        let file = try LogFile(path: path, sizeLimit: 5, maxFiles: 2)
        file.write("trigger a rotation\n")
        let all = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        for name in keep { XCTAssertTrue(all.contains(name), name) }
        XCTAssertFalse(all.contains("starling.log.2000.01.01.00.00.00.000000001"), "the oldest backup is purged")
        XCTAssertEqual(try backups().count, 1)
    }

    func testFileAlreadyPastTheLimitRotatesWhenOpened() throws {
        try String(repeating: "z", count: 500).appending("\n").write(toFile: path, atomically: false, encoding: .utf8)
        let file = try LogFile(path: path, sizeLimit: 100)
        let names = try backups()
        XCTAssertEqual(names.count, 1)
        XCTAssertTrue(try contents(directory.appendingPathComponent(names[0]).path).hasSuffix("[INF] Rotating logfile...\n"))
        XCTAssertLessThan(file.size, 200)
    }

    func testLoweringTheLimitRotates() throws {
        let file = try LogFile(path: path)
        file.write(String(repeating: "a", count: 300) + "\n")
        XCTAssertEqual(try backups(), [])
        file.setLimits(sizeLimit: 100, maxFiles: 0)
        XCTAssertEqual(try backups().count, 1)
    }

    func testReopenAfterTheFileWasMovedAway() throws {
        let file = try LogFile(path: path)
        file.write("A\n")
        let moved = directory.appendingPathComponent("starling.log.1").path
        XCTAssertEqual(rename(path, moved), 0)
        file.write("B\n")  // still the old descriptor, as with logrotate before SIGUSR1
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        try file.reopen()
        XCTAssertEqual(file.size, 0)
        file.write("C\n")
        XCTAssertEqual(try contents(moved), "A\nB\n")
        XCTAssertEqual(try contents(path), "C\n")
    }

    func testReopenFailureKeepsTheOldFile() throws {
        let sub = directory.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        let inner = sub.appendingPathComponent("x.log").path
        let file = try LogFile(path: inner)
        file.write("1\n")
        let movedDir = directory.appendingPathComponent("gone")
        try FileManager.default.moveItem(at: sub, to: movedDir)
        XCTAssertThrowsError(try file.reopen()) { error in
            XCTAssertTrue("\(error)".hasPrefix("error opening log file \(inner): no such file or directory"), "\(error)")
        }
        file.write("2\n")
        XCTAssertEqual(try contents(movedDir.appendingPathComponent("x.log").path), "1\n2\n")
    }

    func testOpenErrorIsClear() {
        XCTAssertThrowsError(try LogFile(path: directory.appendingPathComponent("no/such/dir.log").path)) { error in
            XCTAssertTrue("\(error)".contains("no such file or directory"), "\(error)")
        }
    }

    func testClosedFileDropsLines() throws {
        let file = try LogFile(path: path)
        file.write("kept\n")
        file.close()
        file.write("dropped\n")
        XCTAssertEqual(try contents(path), "kept\n")
    }

    func testConcurrentWritersDoNotInterleave() throws {
        let file = try LogFile(path: path, sizeLimit: 64 * 1024)
        let writers = 8, perWriter = 2_000
        DispatchQueue.concurrentPerform(iterations: writers) { writer in
            for index in 0..<perWriter {
                let pad = String(repeating: Character(UnicodeScalar(UInt8(97 + (index % 26)))), count: index % 97)
                file.write("w\(writer) \(index) \(pad)|\n")
            }
        }
        var seen = Set<String>()
        var notes = 0
        for name in try backups() + ["starling.log"] {
            for line in try contents(directory.appendingPathComponent(name).path).split(separator: "\n") {
                if line.contains("[INF] Rotated log") { notes += 1; continue }
                let fields = line.split(separator: " ", omittingEmptySubsequences: false)
                XCTAssertEqual(fields.count, 3, String(line))
                guard fields.count == 3, let index = Int(fields[1]) else { continue }
                let pad = String(repeating: Character(UnicodeScalar(UInt8(97 + (index % 26)))), count: index % 97)
                XCTAssertEqual(String(fields[2]), pad + "|", String(line))
                XCTAssertTrue(seen.insert("\(fields[0]) \(index)").inserted, "duplicate \(line)")
            }
        }
        XCTAssertEqual(seen.count, writers * perWriter)
        XCTAssertGreaterThan(notes, 0, "the writers crossed the limit")
        XCTAssertEqual(notes, try backups().count)
    }

    func testServerLogHandlerWritesToTheOutputsFile() throws {
        let output = LogOutput()
        XCTAssertNil(output.logFile)
        let file = try LogFile(path: path)
        output.use(file)
        let logger = Logger(label: "test") { _ in ServerLogHandler(level: .info, withTime: false, output: output) }
        logger.info("Server is ready")
        logger.debug("not at this level")
        logger.warning("careful")
        XCTAssertEqual(try contents(path), "[\(getpid())] [INF] Server is ready\n[\(getpid())] [WRN] careful\n")

        let second = try LogFile(path: directory.appendingPathComponent("second.log").path)
        XCTAssertTrue(output.use(second) === file)
        logger.error("elsewhere")
        XCTAssertEqual(try contents(second.path), "[\(getpid())] [ERR] elsewhere\n")

        let timed = Logger(label: "t") { _ in ServerLogHandler(level: .info, output: output) }
        timed.info("with time")
        let last = try XCTUnwrap(try contents(second.path).split(separator: "\n").last)
        XCTAssertNotNil(last.range(of: #"^\[\d+\] \d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}\.\d{6} \[INF\] with time$"#,
                                   options: .regularExpression), String(last))
    }

    // MARK: Helpers

    private func backups() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("starling.log.") && LogFile.isBackupStamp($0.dropFirst("starling.log.".count)) }
            .sorted()
    }

    private func contents(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }
}
