import ArgumentParser
import Foundation
import NATSConfig
import Starling
import StarlingTLS

/// Runs the server; flags follow nats-server's names and override the configuration file.
struct RunCommand: ParsableCommand, TakesSignalsAfterStart {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the server (the default command); flags as nats-server's."
    )

    @Option(name: [.customShort("c"), .customLong("config")], help: "Configuration file.")
    var config: String?

    @Option(name: [.customShort("a"), .customLong("addr"), .customLong("net")], help: "Bind to host address (default: 0.0.0.0).")
    var host: String?

    @Option(name: [.customShort("p"), .customLong("port")], parsing: .unconditional, help: "Client port (default: 4222; -1 for a random port).")
    var port: Int?

    @Option(name: [.customShort("m"), .customLong("http_port")], parsing: .unconditional, help: "HTTP port for monitoring (-1 for a random port).")
    var httpPort: Int?

    @Option(name: [.customLong("ms", withSingleDash: true), .customLong("https_port")], parsing: .unconditional, help: "HTTPS port for monitoring.")
    var httpsPort: Int?

    @Option(name: [.customShort("n"), .customLong("name"), .customLong("server_name")], help: "Server name (default: the server id).")
    var serverName: String?

    @Flag(name: [.customShort("D"), .customLong("debug")], help: "Enable debug output.")
    var debug = false

    @Flag(name: [.customShort("V"), .customLong("trace")], help: "Trace the raw protocol.")
    var trace = false

    @Flag(name: .customLong("DV", withSingleDash: true), help: "Debug and trace.")
    var debugAndTrace = false

    @Option(name: [.customShort("T"), .customLong("logtime")], help: "Timestamp log entries (default: true).")
    var logTime: Bool?

    @Option(name: [.customShort("l"), .customLong("log")], help: "File to redirect log output to.")
    var logFile: String?

    @Option(name: .customLong("log_size_limit"), help: "Rotate the log file at this many bytes.")
    var logSizeLimit: Int64?

    @Option(name: [.customShort("P"), .customLong("pid")], help: "File to store the process id in.")
    var pidFile: String?

    @Option(name: .customLong("ports_file_dir"), help: "Directory for the ports file.")
    var portsFileDirectory: String?

    @Option(name: [.customLong("sl", withSingleDash: true), .customLong("signal")],
            help: "Send a signal to a running server: stop, quit, reopen, reload, ldm, term [=<pid or pid file>].")
    var signal: String?

    @Flag(name: [.customLong("tls"), .customLong("tls", withSingleDash: true)], help: "Enable TLS (needs --tlscert and --tlskey).")
    var tlsEnabled = false

    @Option(name: [.customLong("tlscert"), .customLong("tlscert", withSingleDash: true)], help: "Server certificate file.")
    var tlsCert: String?

    @Option(name: [.customLong("tlskey"), .customLong("tlskey", withSingleDash: true)], help: "Private key of the server certificate.")
    var tlsKey: String?

    @Option(name: [.customLong("tlscacert"), .customLong("tlscacert", withSingleDash: true)], help: "Client certificate CA for verification.")
    var tlsCACert: String?

    @Flag(name: [.customLong("tlsverify"), .customLong("tlsverify", withSingleDash: true)], help: "Require and verify client certificates.")
    var tlsVerify = false

    @Option(name: [.customLong("user"), .customLong("user", withSingleDash: true)], help: "User required for connections.")
    var user: String?

    @Option(name: [.customLong("pass"), .customLong("pass", withSingleDash: true)], help: "Password required for connections.")
    var password: String?

    @Option(name: [.customLong("auth"), .customLong("auth", withSingleDash: true)], help: "Authorization token required for connections.")
    var token: String?

    @Option(name: [.customLong("sd", withSingleDash: true), .customLong("store_dir")], help: "JetStream storage directory (accepted; JetStream is not implemented).")
    var storeDirectory: String?

    @Option(name: [.customLong("cluster"), .customLong("cluster", withSingleDash: true), .customLong("cluster_listen"), .customLong("cluster_listen", withSingleDash: true)], help: "Cluster URL for solicited routes (nats://[user:pass@]host:port).")
    var clusterURL: String?

    @Option(name: [.customLong("cluster_name"), .customLong("cluster_name", withSingleDash: true)], help: "Cluster name (default: a dynamic name).")
    var clusterName: String?

    @Option(name: [.customLong("routes"), .customLong("routes", withSingleDash: true), .customShort("r")], help: "Routes to solicit and connect to, comma-separated.")
    var routes: String?

    @Option(name: [.customLong("cluster_advertise"), .customLong("cluster_advertise", withSingleDash: true)], help: "Cluster URL to advertise to other servers.")
    var clusterAdvertise: String?

    @Flag(name: [.customLong("no_advertise"), .customLong("no_advertise", withSingleDash: true)], help: "Do not advertise known cluster URLs to clients.")
    var noAdvertise = false

    @Option(name: [.customLong("connect_retries"), .customLong("connect_retries", withSingleDash: true)], help: "Retries for implicit (gossiped) routes.")
    var connectRetries: Int?

    @Option(name: [.customLong("client_advertise"), .customLong("client_advertise", withSingleDash: true)], help: "Client URL to advertise to other servers.")
    var clientAdvertise: String?

    @Flag(name: .customShort("t"), help: "Test the configuration and exit.")
    var testConfig = false

    @Flag(name: [.customShort("v"), .customLong("version")], help: "Show the version and exit.")
    var showVersion = false

    @Option(name: .customLong("event_loops"), help: "Event loop threads (default: one per CPU this process may run on, as Go sets GOMAXPROCS).")
    var eventLoops: Int?

    func run() throws {
        if showVersion {
            print("starling version \(StarlingVersion.starling) (nats-server protocol \(StarlingVersion.compatible))")
            return
        }
        if let signal {
            do {
                _ = try SignalCommand.send(signal)
                return
            } catch {
                fail("\(error)")
            }
        }
        let options: ServerOptions
        do {
            options = try makeOptions()
            if testConfig { _ = try Server(options: options, logger: .init(label: "starling.test")) }
        } catch {
            fail("\(error)")
        }
        if testConfig {
            FileHandle.standardError.write(Data("starling: configuration file \(config ?? "(none)") is valid\n".utf8))
            return
        }
        let command = self
        let process: ServerProcess
        do {
            process = try ServerProcess(options: options, configFile: config, makeOptions: { try command.makeOptions() })
        } catch {
            fail("\(error)")
        }
        try process.start()
        SignalHandling.install(process)
        process.waitUntilShutdown()
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("starling: \(message)\n".utf8))
        Foundation.exit(1)
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
        if let httpsPort { options.httpsPort = httpsPort < 0 ? 0 : httpsPort }
        if let eventLoops { options.eventLoops = eventLoops }
        if debug || debugAndTrace { options.debug = true }
        if trace || debugAndTrace { options.trace = true }
        if let logTime { options.logTime = logTime }
        if let logFile { options.logFile = logFile }
        if let logSizeLimit { options.logSizeLimit = logSizeLimit }
        if let pidFile { options.pidFile = pidFile }
        if let portsFileDirectory { options.portsFileDirectory = portsFileDirectory }
        if let storeDirectory { options.storeDirectory = storeDirectory }
        try applyAuthFlags(to: &options)
        try applyTLSFlags(to: &options)
        try applyClusterFlags(to: &options)
        return options
    }

    /// `--tls`, `--tlscert`, `--tlskey`, `--tlscacert`, `--tlsverify` (nats-server: configureOptions
    /// builds the client listener's TLS from them, replacing the file's `tls {}`).
    private func applyTLSFlags(to options: inout ServerOptions) throws {
        guard tlsEnabled || tlsCert != nil || tlsKey != nil || tlsCACert != nil || tlsVerify else { return }
        guard let tlsCert, let tlsKey else { throw ValidationError("TLS needs both --tlscert and --tlskey") }
        let flags = SourcePosition(file: "<command line>", line: 0, column: 0)
        var settings = TLSSettings(position: flags)
        settings.certificates = [.init(certFile: tlsCert, keyFile: tlsKey, certPosition: flags, keyPosition: flags)]
        settings.caFile = tlsCACert
        settings.verify = tlsVerify
        options.tls = settings
    }

    /// `--cluster`, `--cluster_name`, `--routes`, `--cluster_advertise`, `--no_advertise`,
    /// `--connect_retries`, `--client_advertise` (nats-server: configureOptions, overrideCluster).
    private func applyClusterFlags(to options: inout ServerOptions) throws {
        if let clientAdvertise { options.clientAdvertise = clientAdvertise }
        let touched = clusterURL != nil || clusterName != nil || routes != nil || clusterAdvertise != nil
            || noAdvertise || connectRetries != nil
        guard touched else { return }
        var cluster = options.cluster ?? ClusterOptions()
        if let clusterURL {
            guard let url = RouteURL(clusterURL) else { throw ValidationError("error parsing cluster url \"\(clusterURL)\"") }
            cluster.host = url.host
            cluster.port = url.port
            if let user = url.username {
                cluster.username = user
                cluster.password = url.password
            }
        }
        if let clusterName { cluster.name = clusterName }
        if let routes {
            cluster.routes = try routes.split(separator: ",").map { text in
                guard let url = RouteURL(String(text)) else { throw ValidationError("error parsing route url \"\(text)\"") }
                return url
            }
        }
        if let clusterAdvertise { cluster.advertise = clusterAdvertise }
        if noAdvertise { cluster.noAdvertise = true }
        if let connectRetries { cluster.connectRetries = connectRetries }
        options.cluster = cluster
    }

    /// `--user/--pass` set the single user, `--auth` the token (nats-server: configureOptions).
    private func applyAuthFlags(to options: inout ServerOptions) throws {
        if user != nil || password != nil {
            guard let user, let password else { throw ValidationError("--user and --pass go together") }
            var single = UserConfig()
            single.username = user
            single.password = password
            options.auth.singleUser = single
        }
        if let token { options.auth.token = token }
    }
}
