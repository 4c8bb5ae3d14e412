import Foundation
import XCTest
@testable import Starling

/// Sends real signals, but only ever to children this test started (a copy of `sleep` under a
/// name no other process has).
final class SignalCommandTests: XCTestCase {
    private var directory: URL!
    private var children: [Process] = []
    /// The copied `sleep`'s process name, unique to this test run.
    private let sleeperName = "opsSleep\(getpid() % 100_000)"

    override func setUpWithError() throws {
        directory = try TemporaryDirectory.make()
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: directory.appendingPathComponent(sleeperName).path)
    }

    override func tearDown() {
        for child in children where child.isRunning {
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    func testCommandsMapToNATSServerSignals() {
        let expected: [String: Int32] = [
            "stop": SIGKILL, "quit": SIGINT, "reopen": SIGUSR1, "reload": SIGHUP, "ldm": SIGUSR2, "term": SIGTERM,
        ]
        XCTAssertEqual(Set(SignalCommand.allCases.map(\.rawValue)), Set(expected.keys))
        for command in SignalCommand.allCases {
            XCTAssertEqual(command.signal, expected[command.rawValue], command.rawValue)
        }
    }

    func testEachCommandDeliversItsSignalToAPid() throws {
        for command in SignalCommand.allCases {
            let child = try startSleeper()
            let pid = child.processIdentifier
            XCTAssertEqual(try SignalCommand.send("\(command.rawValue)=\(pid)", processName: sleeperName), [pid])
            child.waitUntilExit()
            XCTAssertEqual(child.terminationReason, .uncaughtSignal, command.rawValue)
            XCTAssertEqual(child.terminationStatus, command.signal, command.rawValue)
        }
    }

    func testPidFromPidFile() throws {
        let child = try startSleeper()
        let pidFile = PidFile(path: directory.appendingPathComponent("s.pid").path)
        try pidFile.write(pid: child.processIdentifier)
        try SignalCommand.send("reload=\(pidFile.path)", processName: sleeperName)
        child.waitUntilExit()
        XCTAssertEqual(child.terminationStatus, SIGHUP)

        // A trailing newline (a pid file written by hand or by another tool) is accepted.
        let second = try startSleeper()
        try "\(second.processIdentifier)\n".write(toFile: pidFile.path, atomically: false, encoding: .utf8)
        try SignalCommand.send("reopen=\(pidFile.path)", processName: sleeperName)
        second.waitUntilExit()
        XCTAssertEqual(second.terminationStatus, SIGUSR1)
    }

    func testWithoutPidFindsTheOneRunningProcessByName() throws {
        let first = try startSleeper()
        XCTAssertEqual(SignalCommand.runningProcesses(named: sleeperName), [first.processIdentifier])
        let second = try startSleeper()
        XCTAssertThrowsError(try SignalCommand.send("term", processName: sleeperName)) { error in
            let pids = [first.processIdentifier, second.processIdentifier].sorted()
            XCTAssertEqual("\(error)", "multiple \(sleeperName) processes running:\n\(pids[0])\n\(pids[1])")
        }
        XCTAssertTrue(first.isRunning && second.isRunning, "nothing is signalled when the target is ambiguous")

        kill(second.processIdentifier, SIGKILL)
        second.waitUntilExit()
        XCTAssertEqual(try SignalCommand.send("quit", processName: sleeperName), [first.processIdentifier])
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, SIGINT)

        XCTAssertThrowsError(try SignalCommand.send("reload", processName: sleeperName)) { error in
            XCTAssertEqual("\(error)", "no \(sleeperName) processes running")
        }
    }

    func testGlobSignalsEveryMatchingProcess() throws {
        let first = try startSleeper()
        let second = try startSleeper()
        let signalled = try SignalCommand.send("term=*", processName: sleeperName)
        XCTAssertEqual(signalled, [first.processIdentifier, second.processIdentifier].sorted())
        first.waitUntilExit()
        second.waitUntilExit()
        XCTAssertEqual([first.terminationStatus, second.terminationStatus], [SIGTERM, SIGTERM])

        let third = try startSleeper()
        let pid = String(third.processIdentifier)
        XCTAssertEqual(try SignalCommand.send("ldm=\(pid.dropLast())*", processName: sleeperName), [third.processIdentifier])
        third.waitUntilExit()
        XCTAssertEqual(third.terminationStatus, SIGUSR2)
    }

    func testErrors() {
        assertError("bogus", "unknown signal \"bogus\"; expected one of stop, quit, reopen, reload, ldm, term")
        assertError("bogus=1", "unknown signal \"bogus\"; expected one of stop, quit, reopen, reload, ldm, term")
        assertError("reload=1=2", "invalid signal parameters: [2]")
        assertError("reload=abc", "invalid pid: abc")
        assertError("reload=-5", "invalid pid: -5")
        assertError("reload=\(directory.appendingPathComponent("missing.pid").path)",
                    "invalid pid: \(directory.appendingPathComponent("missing.pid").path)")
        assertError("reload=2147483646", "signal \"reload\" 2147483646: no such process")
        assertError("reload", "no opsNoSuchProc processes running", processName: "opsNoSuchProc")
    }

    // MARK: Helpers

    private func startSleeper() throws -> Process {
        let child = Process()
        child.executableURL = directory.appendingPathComponent(sleeperName)
        child.arguments = ["30"]
        try child.run()
        children.append(child)
        // Wait until the child runs the copied binary (its name in /proc is the sleeper's).
        let deadline = Date().addingTimeInterval(5)
        while !SignalCommand.runningProcesses(named: sleeperName).contains(child.processIdentifier), Date() < deadline {
            usleep(5_000)
        }
        return child
    }

    private func assertError(_ argument: String, _ message: String, processName: String = "starling",
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SignalCommand.send(argument, processName: processName), file: file, line: line) { error in
            XCTAssertEqual("\(error)", message, file: file, line: line)
        }
    }
}
