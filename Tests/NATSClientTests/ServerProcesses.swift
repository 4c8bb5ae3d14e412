import Foundation
import XCTest

/// A server (`starling` or Go `nats-server`) run as a child process on a free loopback port,
/// with an optional configuration file written to a temporary folder.
final class ServerProcess {
    let child: ChildProcess
    let port: Int
    let directory: URL

    var url: String { "nats://127.0.0.1:\(port)" }

    /// Starts `executable` with `config` (configuration text, or nil for none). `$DIR` in the
    /// text is replaced by the temporary folder. Waits for the listening line.
    init(executable: String, config: String?, extraArguments: [String] = [], directory: URL? = nil) throws {
        let dir = try directory ?? Self.makeTemporaryDirectory()
        self.directory = dir
        var arguments = ["-a", "127.0.0.1", "--port=-1"]
        if let config {
            let file = dir.appendingPathComponent("server.conf")
            try config.replacingOccurrences(of: "$DIR", with: dir.path).write(to: file, atomically: true, encoding: .utf8)
            arguments += ["-c", file.path]
        }
        child = try ChildProcess(executable, arguments + extraArguments)
        let marker = "Listening for client connections on "
        guard child.waitFor(marker) else {
            child.stop()
            throw ServerStartError(output: child.errorOutput)
        }
        let log = child.errorOutput
        let after = log[log.range(of: marker)!.upperBound...]
        let address = after.prefix { !$0.isNewline && $0 != " " }
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            child.stop()
            throw ServerStartError(output: log)
        }
        self.port = port
    }

    /// Starts the `starling` executable.
    static func starling(config: String? = nil) throws -> ServerProcess {
        try ServerProcess(executable: try Executables.starling(), config: config)
    }

    /// Stops the server and removes its folder.
    func stop() {
        child.stop(signal: SIGINT)
        try? FileManager.default.removeItem(at: directory)
    }

    static func makeTemporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("starling-client-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// The server did not report its listening port.
struct ServerStartError: Error, CustomStringConvertible {
    let output: String
    var description: String { "server did not start: \(output)" }
}
