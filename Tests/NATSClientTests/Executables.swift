import Foundation
import XCTest

/// Where the binaries the end-to-end tests run are.
enum Executables {
    /// The `starling` executable built with these tests (the test target depends on it, so it
    /// sits next to the test bundle). `$STARLING_BINARY` overrides.
    static func starling() throws -> String {
        var candidates: [String] = []
        if let given = ProcessInfo.processInfo.environment["STARLING_BINARY"], !given.isEmpty {
            candidates.append(given)
        }
        // Linux: the test runner is the .xctest executable itself, in the bin directory.
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("starling").path)
        }
        // macOS (and any runner that loads the bundle): the bundle is in the bin directory.
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("starling").path)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/starling").path)
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            return found
        }
        throw XCTSkip("the starling executable was not found (looked at \(candidates)); set STARLING_BINARY")
    }

    /// A Go `nats-server` binary and its version (`2.9.10`), or nil when none is installed.
    /// `$NATS_SERVER_BINARY` first, then the usual places and `PATH`. With `minimum`, only a
    /// binary at least that new counts.
    static func natsServer(minimum: [Int] = [2, 9, 0]) -> (path: String, version: [Int])? {
        var candidates: [String] = []
        if let given = ProcessInfo.processInfo.environment["NATS_SERVER_BINARY"], !given.isEmpty {
            candidates.append(given)
        }
        let pipBuild = FileManager.default.currentDirectoryPath + "/.deps/natsbin/bin/nats-server"
        candidates += [pipBuild, "/usr/sbin/nats-server", "/usr/bin/nats-server",
                       "/usr/local/bin/nats-server"]
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        candidates += path.split(separator: ":").map { "\($0)/nats-server" }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            guard let version = version(of: candidate) else { continue }
            if version.lexicographicallyPrecedes(minimum) { continue }
            return (candidate, version)
        }
        return nil
    }

    /// `nats-server --version` → `nats-server: v2.9.10` → [2, 9, 10].
    private static func version(of binary: String) -> [Int]? {
        guard let result = try? ChildProcess.run(binary, ["--version"], timeout: 10), result.status == 0 else { return nil }
        let text = result.stdout + result.stderr
        guard let v = text.range(of: "v", options: .backwards) else { return nil }
        let numbers = text[v.upperBound...].prefix { $0.isNumber || $0 == "." }.split(separator: ".").compactMap { Int($0) }
        return numbers.isEmpty ? nil : numbers
    }
}
