import ArgumentParser
import Foundation
import Logging
import Starling

/// Runs the server; flags follow nats-server's names.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the server (the default command); flags as nats-server's."
    )

    @Option(name: [.customShort("c"), .customLong("config")], help: "Configuration file.")
    var config: String?

    @Option(name: [.customShort("a"), .customLong("addr"), .customLong("net")], help: "Bind to host address (default: 0.0.0.0).")
    var host: String?

    @Option(name: [.customShort("p"), .customLong("port")], help: "Client port (default: 4222; -1 for a random port).")
    var port: Int?

    @Option(name: [.customShort("m"), .customLong("http_port")], help: "HTTP port for monitoring (-1 for a random port).")
    var httpPort: Int?

    @Option(name: [.customShort("n"), .customLong("name"), .customLong("server_name")], help: "Server name (default: the server id).")
    var serverName: String?

    @Flag(name: [.customShort("D"), .customLong("debug")], help: "Enable debug output.")
    var debug = false

    @Flag(name: [.customShort("V"), .customLong("trace")], help: "Trace the raw protocol.")
    var trace = false

    @Flag(name: .customLong("DV", withSingleDash: true), help: "Debug and trace.")
    var debugAndTrace = false

    @Option(name: .customLong("event_loops"), help: "Event loop threads (default: one per core).")
    var eventLoops: Int?

    @Flag(name: .customShort("t"), help: "Test the configuration and exit.")
    var testConfig = false

    func run() throws {
        let options: ServerOptions
        do {
            options = try makeOptions()
        } catch {
            FileHandle.standardError.write(Data("starling: \(error)\n".utf8))
            throw ExitCode(1)
        }
        if testConfig {
            FileHandle.standardError.write(Data("starling: configuration file \(config ?? "(none)") is valid\n".utf8))
            return
        }
        let level: Logger.Level = options.trace ? .trace : options.debug ? .debug : .info
        LoggingSystem.bootstrap { _ in ServerLogHandler(level: level) }
        let server = Server(options: options, logger: Logger(label: "starling"))
        try server.start()
        let command = self
        let signals = SignalHandling.install(server: server, reloadOptions: { try command.makeOptions() })
        withExtendedLifetime(signals) { server.waitUntilShutdown() }
    }

    /// The configuration file's options with the command-line flags on top, as nats-server
    /// merges them (flags win). Called at start and on every reload.
    func makeOptions() throws -> ServerOptions {
        var options = ServerOptions()
        if let config { options = try ServerOptions.load(configFile: config) }
        if let host { options.host = host }
        if let port { options.port = port < 0 ? 0 : port }
        if let serverName { options.serverName = serverName }
        if let httpPort { options.httpPort = httpPort < 0 ? 0 : httpPort }
        if let eventLoops { options.eventLoops = eventLoops }
        if debug || debugAndTrace { options.debug = true }
        if trace || debugAndTrace { options.trace = true }
        return options
    }
}
