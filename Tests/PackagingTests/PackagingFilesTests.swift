import Foundation
import NATSConfig
import XCTest

/// Checks docker/ (Dockerfile, compose file, default configuration, systemd unit) against the
/// repository and against each other, since no Docker engine or systemd runs the tests.
final class PackagingFilesTests: XCTestCase {
    /// nats-server's default ports: clients, monitoring, cluster, leaf nodes, gateways.
    static let defaultPorts: Set<Int> = [4222, 8222, 6222, 7422, 7222]
    static let product = "starling"

    private var dockerfile: [DockerInstruction]!
    private var config: ConfigNode!

    override func setUpWithError() throws {
        dockerfile = DockerInstruction.parse(try PackagingFiles.text("docker/Dockerfile"))
        config = try ConfigParser.parse(fileAt: PackagingFiles.root.appendingPathComponent("docker/starling.conf").path)
    }

    // MARK: Dockerfile

    func testEveryCopySourceExistsInTheRepository() throws {
        let copies = dockerfile.filter { $0.keyword == "COPY" && !$0.arguments.hasPrefix("--from") }
        XCTAssertFalse(copies.isEmpty)
        for copy in copies {
            let words = copy.words.filter { !$0.hasPrefix("--") }
            XCTAssertGreaterThanOrEqual(words.count, 2, copy.arguments)
            for source in words.dropLast() {
                XCTAssertTrue(PackagingFiles.exists(source), "COPY source \(source) is not in the repository")
            }
        }
        // Every folder holding targets of Package.swift reaches the builder.
        let copied = Set(copies.flatMap { $0.words.dropLast() })
        for folder in ["Sources", "Tests", "Benchmarks"] where PackagingFiles.exists(folder) {
            XCTAssertTrue(copied.contains(folder), "the Dockerfile does not COPY \(folder)")
        }
        XCTAssertTrue(copied.contains("Package.swift"))
    }

    func testCopyFromBuilderTakesWhatTheBuilderProduced() {
        let run = dockerfile.filter { $0.keyword == "RUN" }.map(\.arguments).joined(separator: "\n")
        for copy in dockerfile where copy.keyword == "COPY" && copy.arguments.hasPrefix("--from=builder") {
            let source = copy.words.filter { !$0.hasPrefix("--") }.first ?? ""
            XCTAssertTrue(run.contains(source), "\(source) is copied from the builder but no RUN makes it")
        }
    }

    func testBuildsAndRunsTheStarlingProduct() throws {
        let manifest = try PackagingFiles.text("Package.swift")
        XCTAssertTrue(manifest.contains(".executable(name: \"\(Self.product)\""), "Package.swift has no \(Self.product) product")
        let build = try XCTUnwrap(dockerfile.first { $0.keyword == "RUN" && $0.arguments.contains("swift build") })
        XCTAssertTrue(build.arguments.contains("swift build -c release --static-swift-stdlib --product \(Self.product)"),
                      build.arguments)
        let stages = dockerfile.filter { $0.keyword == "FROM" }.map(\.words)
        XCTAssertEqual(stages.count, 2, "a builder and a runtime stage")
        XCTAssertTrue(stages.first?.first?.hasPrefix("swift:6.") == true, "\(stages)")
        XCTAssertEqual(stages.last?.first, "debian:bookworm-slim")
        XCTAssertTrue(stages.first?.first?.hasSuffix("-bookworm") == true, "the builder's Debian must match the runtime's")

        let entrypoint = try XCTUnwrap(dockerfile.last { $0.keyword == "ENTRYPOINT" }?.execForm)
        XCTAssertEqual(entrypoint.first.map { URL(fileURLWithPath: $0).lastPathComponent }, Self.product)
        let binaryCopy = dockerfile.first { $0.keyword == "COPY" && $0.words.last == entrypoint.first }
        XCTAssertNotNil(binaryCopy, "the entrypoint \(entrypoint[0]) is where the binary is copied to")
    }

    func testRunsAsANonRootUser() throws {
        let user = try XCTUnwrap(dockerfile.last { $0.keyword == "USER" }?.words.first)
        let uid = user.split(separator: ":").first.map(String.init) ?? user
        XCTAssertNotEqual(uid, "0")
        XCTAssertNotEqual(uid, "root")
    }

    func testExposedPortsAreTheConfiguredAndDefaultPorts() throws {
        let exposed = Set(dockerfile.filter { $0.keyword == "EXPOSE" }.flatMap(\.words).compactMap { Int($0) })
        XCTAssertEqual(exposed, Self.defaultPorts.union([try clientPort(), try monitoringPort()]))
    }

    func testHealthcheckHitsHealthzOnTheMonitoringPort() throws {
        let check = try XCTUnwrap(dockerfile.last { $0.keyword == "HEALTHCHECK" })
        let command = try XCTUnwrap(check.execForm, "exec form, so no shell is needed to parse it").joined(separator: " ")
        XCTAssertTrue(command.contains("/healthz"), command)
        let port = try monitoringPort()
        XCTAssertTrue(command.contains("127.0.0.1/\(port)") || command.contains("127.0.0.1:\(port)/healthz"),
                      "the health check must use the configured http_port \(port): \(command)")
        XCTAssertTrue(command.contains(" 200"), "only 200 OK is healthy: \(command)")
    }

    func testDefaultCommandUsesTheCopiedConfig() throws {
        let path = try configPathInImage()
        let copy = dockerfile.first { $0.keyword == "COPY" && $0.words.last == path }
        XCTAssertEqual(copy?.words.dropLast().last, "docker/starling.conf")
    }

    func testBuildContextIgnoresBuildOutput() throws {
        let ignored = try PackagingFiles.text("docker/Dockerfile.dockerignore").split(separator: "\n").map(String.init)
        for pattern in [".build", ".build-*", ".git"] {
            XCTAssertTrue(ignored.contains(pattern), pattern)
        }
    }

    // MARK: Configuration

    func testConfigurationPorts() throws {
        XCTAssertEqual(try clientPort(), 4222)
        XCTAssertEqual(try monitoringPort(), 8222)
    }

    // MARK: compose.yaml

    func testComposePublishesTheConfiguredPortsAndMountsTheConfig() throws {
        let compose = try PackagingFiles.text("docker/compose.yaml")
        let published = Self.matches(#"- "(\d+):(\d+)""#, in: compose)
        let containerPorts = Set(published.compactMap { Int($0[1]) })
        XCTAssertEqual(containerPorts, [try clientPort(), try monitoringPort()])
        for pair in published { XCTAssertEqual(pair[0], pair[1], "host and container ports are the same") }
        let exposed = Set(dockerfile.filter { $0.keyword == "EXPOSE" }.flatMap(\.words).compactMap { Int($0) })
        XCTAssertTrue(containerPorts.isSubset(of: exposed))

        let path = try configPathInImage()
        XCTAssertTrue(compose.contains("- ./starling.conf:\(path):ro"), "compose mounts docker/starling.conf at \(path)")
        XCTAssertTrue(compose.contains("dockerfile: docker/Dockerfile"))
        XCTAssertTrue(compose.contains("context: .."), "the build context is the repository root")
    }

    // MARK: systemd unit

    func testUnitStartsStarlingWithTheDocumentedConfig() throws {
        let unit = UnitFile(try PackagingFiles.text("docker/starling.service"))
        let start = try XCTUnwrap(unit.value("ExecStart")).split(separator: " ").map(String.init)
        XCTAssertEqual(start.first.map { URL(fileURLWithPath: $0).lastPathComponent }, Self.product)
        XCTAssertTrue(start.first?.hasPrefix("/") == true, "systemd wants an absolute path")
        let flag = try XCTUnwrap(start.firstIndex(of: "-c"), "ExecStart passes -c <config>")
        XCTAssertLessThan(flag + 1, start.count)
        let configPath = start[flag + 1]
        XCTAssertEqual(configPath, try configPathInImage(), "the unit and the image use the same config path")
        XCTAssertTrue(try PackagingFiles.text("README.md").contains(configPath), "README mentions \(configPath)")
    }

    func testUnitUsesNotifyReloadAndHardening() throws {
        let unit = UnitFile(try PackagingFiles.text("docker/starling.service"))
        XCTAssertEqual(unit.value("Type"), "notify")
        XCTAssertEqual(unit.value("NotifyAccess"), "main")
        XCTAssertEqual(unit.value("ExecReload"), "/bin/kill -HUP $MAINPID")
        XCTAssertEqual(unit.value("KillSignal"), "SIGTERM")
        XCTAssertNil(unit.value("WatchdogSec"), "the watchdog stays opt-in (commented)")
        XCTAssertTrue(try PackagingFiles.text("docker/starling.service").contains("#WatchdogSec="))
        let families = unit.value("RestrictAddressFamilies")?.split(separator: " ").map(String.init) ?? []
        XCTAssertTrue(families.contains("AF_UNIX"), "sd_notify needs AF_UNIX")
        XCTAssertTrue(families.contains("AF_INET") && families.contains("AF_INET6"))
        XCTAssertNotNil(unit.value("User"))
        XCTAssertNotEqual(unit.value("User"), "root")
        for key in ["NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp"] {
            XCTAssertNotNil(unit.value(key), key)
        }
    }

    // MARK: Helpers

    private func clientPort() throws -> Int {
        if let port = config["port"]?.int { return port }
        if let listen = config["listen"]?.string, let port = listen.split(separator: ":").last.flatMap({ Int($0) }) {
            return port
        }
        return 4222
    }

    private func monitoringPort() throws -> Int {
        for key in ["http_port", "monitor_port"] {
            if let port = config[key]?.int { return port }
        }
        if let http = config["http"] {
            if let port = http.int { return port }
            if let port = http.string?.split(separator: ":").last.flatMap({ Int($0) }) { return port }
        }
        // The image's health check needs monitoring: a config without it is a defect, not a skip.
        return try XCTUnwrap(nil as Int?, "docker/starling.conf enables no monitoring port")
    }

    /// The path after `-c` in the image's default command.
    private func configPathInImage() throws -> String {
        let command = try XCTUnwrap(dockerfile.last { $0.keyword == "CMD" }?.execForm)
        let flag = try XCTUnwrap(command.firstIndex(of: "-c"))
        return command[flag + 1]
    }

    private static func matches(_ pattern: String, in text: String) -> [[String]] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).map { match in
            (1..<match.numberOfRanges).compactMap { Range(match.range(at: $0), in: text).map { String(text[$0]) } }
        }
    }
}
