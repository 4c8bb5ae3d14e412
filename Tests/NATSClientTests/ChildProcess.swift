import Foundation
import Synchronization
import XCTest

/// A child process whose standard output and error are collected as they arrive, so a test can
/// wait for a line (a server's "ready", a subscriber's "Subscribing on") and read the rest later.
final class ChildProcess: @unchecked Sendable {
    // `process` is configured before `run()` and only read afterwards; output is behind mutexes.
    let process = Process()
    private let stdout = OutputBuffer()
    private let stderr = OutputBuffer()
    private let outPipe = Pipe()
    private let errPipe = Pipe()
    /// Left when both pipes reached their end.
    private let reading = DispatchGroup()

    /// Starts `executable` with `arguments`; `environment` entries are added to this process's.
    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NATS_URL")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outPipe
        process.standardError = errPipe
        try process.run()
        for (pipe, buffer) in [(outPipe, stdout), (errPipe, stderr)] {
            let handle = pipe.fileHandleForReading
            reading.enter()
            DispatchQueue.global().async { [reading] in
                while true {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    buffer.data.withLock { $0.append(data) }
                }
                reading.leave()
            }
        }
    }

    /// Everything written to standard output so far.
    var output: String { stdout.text }
    /// Everything written to standard error so far.
    var errorOutput: String { stderr.text }

    /// Waits until standard error (or output) contains `text`; fails the test after `timeout`.
    @discardableResult
    func waitFor(_ text: String, inOutput: Bool = false, timeout: TimeInterval = 20,
                 file: StaticString = #filePath, line: UInt = #line) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (inOutput ? output : errorOutput).contains(text) { return true }
            if !process.isRunning {
                // Drain what the pipes still hold.
                usleep(50_000)
                if (inOutput ? output : errorOutput).contains(text) { return true }
                break
            }
            usleep(10_000)
        }
        XCTFail("no \"\(text)\" from \(process.executableURL?.lastPathComponent ?? "?") \(process.arguments ?? []); stdout: \(output) stderr: \(errorOutput)",
                file: file, line: line)
        return false
    }

    /// Waits for the process to exit (killing it after `timeout`) and returns its status.
    @discardableResult
    func wait(timeout: TimeInterval = 20) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        process.waitUntilExit()
        _ = reading.wait(timeout: .now() + 5)
        return process.terminationStatus
    }

    /// Sends `signal` and waits for the exit.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        return wait()
    }

    /// Runs `executable` to completion: status, standard output, standard error.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                    timeout: TimeInterval = 30) throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try ChildProcess(executable, arguments, environment: environment)
        let status = child.wait(timeout: timeout)
        return (status, child.output, child.errorOutput)
    }
}

/// Bytes read from one pipe.
private final class OutputBuffer: Sendable {
    let data = Mutex(Data())

    var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }
}
