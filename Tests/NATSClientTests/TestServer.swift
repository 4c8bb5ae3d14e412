import Logging
import NATSClient
import Starling
import XCTest

/// An in-process Starling server on a free loopback port, optionally with options set in
/// code (authentication, permissions).
final class TestServer {
    let server: Server
    let port: Int

    init(_ configure: (inout ServerOptions) -> Void = { _ in }) throws {
        var options = ServerOptions()
        options.host = "127.0.0.1"
        options.port = 0
        options.eventLoops = 2
        configure(&options)
        var logger = Logger(label: "test-server")
        logger.logLevel = .critical
        server = try Server(options: options, logger: logger)
        try server.start()
        port = server.clientPort ?? 0
    }

    var url: String { "nats://127.0.0.1:\(port)" }

    func connect(_ configure: (inout NATSClientOptions) -> Void = { _ in }) async throws -> NATSConnection {
        var options = try NATSClientOptions(url: url)
        configure(&options)
        return try await NATSConnection.connect(options)
    }

    func stop() {
        server.shutdown()
    }
}
