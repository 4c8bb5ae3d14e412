import Foundation
import XCTest
@testable import Starling

final class ProcessFilesTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory.make()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Pid file

    func testPidFileHoldsThePidWithoutNewline() throws {
        let pidFile = PidFile(path: directory.appendingPathComponent("starling.pid").path)
        try pidFile.write()
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: pidFile.path)), Data(String(getpid()).utf8))
        try pidFile.write(pid: 42)
        XCTAssertEqual(try String(contentsOfFile: pidFile.path, encoding: .utf8), "42", "rewriting replaces")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        XCTAssertEqual(leftovers, ["starling.pid"], "no temporary file is left behind")
    }

    func testPidFileMode() throws {
        let previous = umask(0)
        defer { umask(previous) }
        let pidFile = PidFile(path: directory.appendingPathComponent("p.pid").path)
        try pidFile.write()
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: pidFile.path)[.posixPermissions] as? Int, 0o640)
    }

    func testPidFileRemovedOnlyWhileItNamesThisProcess() throws {
        let pidFile = PidFile(path: directory.appendingPathComponent("starling.pid").path)
        try pidFile.write(pid: 1)
        XCTAssertFalse(pidFile.remove(), "another instance's pid file stays")
        XCTAssertTrue(FileManager.default.fileExists(atPath: pidFile.path))
        try pidFile.write()
        XCTAssertTrue(pidFile.remove())
        XCTAssertFalse(FileManager.default.fileExists(atPath: pidFile.path))
        XCTAssertFalse(pidFile.remove(), "already gone")
    }

    func testPidFileWriteErrorIsClear() {
        let pidFile = PidFile(path: directory.appendingPathComponent("missing/starling.pid").path)
        XCTAssertThrowsError(try pidFile.write()) { error in
            XCTAssertEqual("\(error)", "Could not write pidfile \(pidFile.path): no such file or directory")
        }
    }

    // MARK: Ports file

    func testPortsFileNameIsExecutableUnderscorePid() {
        let file = PortsFile(directory: "/var/run/nats", executable: "/usr/local/bin/starling", pid: 1234)
        XCTAssertEqual(file.path, "/var/run/nats/starling_1234.ports")
        let here = PortsFile(directory: directory.path)
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).lastPathComponent
        XCTAssertEqual(here.path, directory.appendingPathComponent("\(exe)_\(getpid()).ports").path)
    }

    func testPortsJSONMatchesNATSServer() {
        // As nats-server 2.9.10 writes it for -p 14222 -m 18222 (compact, this field order).
        let ports = PortsFile.Ports(nats: ["nats://127.0.0.1:14222", "nats://[::1]:14222"],
                                    monitoring: ["http://127.0.0.1:18222", "http://[::1]:18222"])
        XCTAssertEqual(ports.json,
                       #"{"nats":["nats://127.0.0.1:14222","nats://[::1]:14222"],"monitoring":["http://127.0.0.1:18222","http://[::1]:18222"]}"#)
        let all = PortsFile.Ports(nats: ["tls://h:1"], monitoring: ["https://h:2"], cluster: ["nats://h:3"],
                                  profile: ["http://h:4"], websocket: ["ws://h:5"])
        XCTAssertEqual(all.json,
                       #"{"nats":["tls://h:1"],"monitoring":["https://h:2"],"cluster":["nats://h:3"],"profile":["http://h:4"],"websocket":["ws://h:5"]}"#)
        XCTAssertEqual(PortsFile.Ports().json, "{}")
        XCTAssertEqual(PortsFile.Ports(nats: [], cluster: ["nats://h:6222"]).json, #"{"cluster":["nats://h:6222"]}"#,
                       "empty lists are omitted (omitempty)")
        XCTAssertEqual(PortsFile.Ports(nats: ["a\"b\\c<d>&\u{1}"]).json, #"{"nats":["a\"b\\c\u003cd\u003e\u0026\u0001"]}"#)
    }

    func testPortsJSONIsValidJSON() throws {
        let ports = PortsFile.Ports(nats: PortsFile.urls(scheme: "nats", host: "0.0.0.0", port: 4222))
        let decoded = try JSONSerialization.jsonObject(with: Data(ports.json.utf8)) as? [String: [String]]
        XCTAssertEqual(decoded?["nats"], ports.nats)
    }

    func testWriteAndRemovePortsFile() throws {
        let file = PortsFile(directory: directory.path, executable: "starling", pid: 77)
        let ports = PortsFile.Ports(nats: ["nats://127.0.0.1:4222"], monitoring: ["http://127.0.0.1:8222"])
        try file.write(ports)
        XCTAssertEqual(try String(contentsOfFile: directory.appendingPathComponent("starling_77.ports").path, encoding: .utf8),
                       ports.json)
        try file.remove()
        XCTAssertFalse(FileManager.default.fileExists(atPath: file.path))
        XCTAssertNoThrow(try file.remove(), "removing twice is fine")
    }

    func testPortsFileInMissingDirectoryFails() {
        let file = PortsFile(directory: directory.appendingPathComponent("nope").path, executable: "starling", pid: 1)
        XCTAssertThrowsError(try file.write(.init(nats: ["nats://h:1"]))) { error in
            XCTAssertTrue("\(error)".hasPrefix("Could not write ports file "), "\(error)")
        }
    }

    func testListenerURLs() {
        XCTAssertEqual(PortsFile.urls(scheme: "nats", host: "127.0.0.1", port: 4222), ["nats://127.0.0.1:4222"])
        XCTAssertEqual(PortsFile.urls(scheme: "http", host: "::1", port: 8222), ["http://[::1]:8222"])
        XCTAssertEqual(PortsFile.urls(scheme: "nats", host: "[::1]", port: 4222), ["nats://[::1]:4222"])
        XCTAssertEqual(PortsFile.urls(scheme: "nats", host: "example.com", port: 4222), ["nats://example.com:4222"])
        let any = PortsFile.urls(scheme: "nats", host: "0.0.0.0", port: 4222)
        XCTAssertTrue(any.contains("nats://127.0.0.1:4222"), "every interface, loopback included: \(any)")
        XCTAssertEqual(PortsFile.urls(scheme: "nats", host: "::", port: 1), PortsFile.urls(scheme: "nats", host: "", port: 1))
    }
}
