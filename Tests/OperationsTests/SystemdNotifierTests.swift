import Foundation
import XCTest
@testable import Starling

/// Drives `SystemdNotifier` against a real AF_UNIX datagram socket that plays systemd's part.
final class SystemdNotifierTests: XCTestCase {
    private var directory: URL!
    private var socketFD: Int32 = -1

    override func setUpWithError() throws {
        directory = try TemporaryDirectory.make()
        socketFD = try bindDatagramSocket(at: directory.appendingPathComponent("notify").path)
        setenv("NOTIFY_SOCKET", directory.appendingPathComponent("notify").path, 1)
        unsetenv("WATCHDOG_USEC")
        unsetenv("WATCHDOG_PID")
    }

    override func tearDown() {
        unsetenv("NOTIFY_SOCKET")
        unsetenv("WATCHDOG_USEC")
        unsetenv("WATCHDOG_PID")
        if socketFD >= 0 { close(socketFD) }
        try? FileManager.default.removeItem(at: directory)
    }

    func testStateMessages() throws {
        let notifier = SystemdNotifier()
        XCTAssertTrue(notifier.isEnabled)

        notifier.ready(status: "Server is ready")
        XCTAssertEqual(receive(), "READY=1\nSTATUS=Server is ready")
        notifier.ready()
        XCTAssertEqual(receive(), "READY=1")

        let before = SystemdNotifier.monotonicMicroseconds()
        notifier.reloading()
        let after = SystemdNotifier.monotonicMicroseconds()
        let reload = try XCTUnwrap(receive())
        let lines = reload.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 2, reload)
        XCTAssertEqual(lines.first, "RELOADING=1")
        let stamp = try XCTUnwrap(lines.last.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) }, reload)
        XCTAssertTrue(lines.last?.hasPrefix("MONOTONIC_USEC=") == true, reload)
        XCTAssertTrue((before...after).contains(stamp), "\(stamp) not in \(before)...\(after)")

        notifier.reloading(status: "Reloading configuration")
        XCTAssertTrue(receive()?.hasSuffix("\nSTATUS=Reloading configuration") == true)

        notifier.stopping()
        XCTAssertEqual(receive(), "STOPPING=1")
        notifier.stopping(status: "Initiating Shutdown")
        XCTAssertEqual(receive(), "STOPPING=1\nSTATUS=Initiating Shutdown")

        notifier.status("2 clients\nconnected")
        XCTAssertEqual(receive(), "STATUS=2 clients connected")

        notifier.watchdogPing()
        XCTAssertEqual(receive(), "WATCHDOG=1")
        XCTAssertNil(receive(timeout: 0.05), "one datagram per call")
    }

    func testNoOpWithoutNotifySocket() {
        unsetenv("NOTIFY_SOCKET")
        setenv("WATCHDOG_USEC", "100000", 1)
        let notifier = SystemdNotifier()
        XCTAssertFalse(notifier.isEnabled)
        notifier.ready(status: "x")
        notifier.reloading()
        notifier.stopping()
        notifier.status("x")
        notifier.watchdogPing()
        XCTAssertNil(notifier.watchdogInterval)
        XCTAssertNil(notifier.startWatchdog())
        notifier.stopWatchdog()
        XCTAssertNil(receive(timeout: 0.2))
    }

    func testWatchdogPingsAtHalfTheInterval() throws {
        setenv("WATCHDOG_USEC", "200000", 1)
        setenv("WATCHDOG_PID", String(getpid()), 1)
        let notifier = SystemdNotifier()
        XCTAssertEqual(notifier.watchdogInterval, .milliseconds(200))

        let start = Date()
        XCTAssertEqual(notifier.startWatchdog(), .milliseconds(100))
        for _ in 0..<3 {
            XCTAssertEqual(receive(timeout: 1), "WATCHDOG=1")
        }
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertGreaterThanOrEqual(elapsed, 0.25, "three pings take about 300 ms")
        XCTAssertLessThan(elapsed, 2)

        notifier.stopWatchdog()
        drain()
        XCTAssertNil(receive(timeout: 0.35), "no ping after stopWatchdog")
    }

    func testWatchdogSkipsUnhealthyTicks() {
        setenv("WATCHDOG_USEC", "100000", 1)
        let notifier = SystemdNotifier()
        XCTAssertEqual(notifier.startWatchdog(isHealthy: { false }), .milliseconds(50))
        XCTAssertNil(receive(timeout: 0.3))
        notifier.stopWatchdog()
    }

    func testWatchdogForAnotherProcessIsOff() {
        setenv("WATCHDOG_USEC", "100000", 1)
        setenv("WATCHDOG_PID", String(getpid() + 1), 1)
        let notifier = SystemdNotifier()
        XCTAssertNil(notifier.watchdogInterval)
        XCTAssertNil(notifier.startWatchdog())
        XCTAssertNil(receive(timeout: 0.2))
    }

    func testRestartingTheWatchdogKeepsOneTimer() {
        setenv("WATCHDOG_USEC", "200000", 1)
        let notifier = SystemdNotifier()
        notifier.startWatchdog()
        notifier.startWatchdog()
        // With two timers there would be about 2 pings per 100 ms.
        Thread.sleep(forTimeInterval: 0.45)
        notifier.stopWatchdog()
        var count = 0
        while receive(timeout: 0.05) != nil { count += 1 }
        XCTAssertTrue((2...5).contains(count), "\(count) pings in 450 ms at a 100 ms period")
    }

    // MARK: The systemd side

    private func bindDatagramSocket(at path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw OperationError.system("socket") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        precondition(bytes.count < MemoryLayout.size(ofValue: address.sun_path))
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else {
            close(fd)
            throw OperationError.system("bind \(path)")
        }
        return fd
    }

    /// The next datagram, or nil when none arrives within `timeout` seconds.
    private func receive(timeout: Double = 2) -> String? {
        var poller = pollfd(fd: socketFD, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(socketFD, &buffer, buffer.count, 0)
        guard count >= 0 else { return nil }
        return String(decoding: buffer.prefix(count), as: UTF8.self)
    }

    private func drain() {
        while receive(timeout: 0) != nil {}
    }
}
