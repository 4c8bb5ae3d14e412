import Foundation
import Logging
import Starling
import Synchronization

/// The running server process: logging, pid and ports files, systemd notifications, and what
/// each signal does (start, reload, reopen the log, shut down).
final class ServerProcess: Sendable {
    let server: Server
    private let output: LogOutput
    private let notifier = SystemdNotifier()
    private let makeOptions: @Sendable () throws -> ServerOptions
    private let files: Mutex<(pid: PidFile?, ports: PortsFile?)>
    /// Made on use: a logger created before `LoggingSystem.bootstrap` would bypass the log file.
    private var log: Logger { Logger(label: "starling") }

    /// Sets up logging and the server from `options`; `makeOptions` re-reads them on reload.
    private let hasConfigFile: Bool

    init(options: ServerOptions, configFile: String?, makeOptions: @escaping @Sendable () throws -> ServerOptions) throws {
        self.makeOptions = makeOptions
        hasConfigFile = configFile != nil
        output = LogOutput(file: try options.logFile.map {
            try LogFile(path: $0, sizeLimit: options.logSizeLimit, maxFiles: options.logMaxFiles, withTime: options.logTime)
        })
        let level = Self.level(for: options)
        output.level = level
        let output = self.output
        LoggingSystem.bootstrap { _ in ServerLogHandler(level: level, withTime: options.logTime, output: output) }
        server = try Server(options: options, logger: Logger(label: "starling"))
        files = Mutex((nil, nil))
    }

    /// Starts listening, writes the pid and ports files, and tells systemd it is ready.
    func start() throws {
        for warning in server.options.warnings { log.warning("\(warning)") }
        try server.start()
        try writeProcessFiles(server.options)
        notifier.ready(status: "Server is ready")
        _ = notifier.startWatchdog { [server] in server.connectionCount >= 0 }
    }

    /// SIGHUP: re-reads the configuration; a bad file changes nothing.
    func reload() {
        notifier.reloading()
        guard hasConfigFile else {
            log.error("Failed to reload server configuration: can only reload config when a file is provided using -c or --config")
            notifier.ready(status: "Server is ready")
            return
        }
        do {
            let options = try makeOptions()
            try server.reload(options)
            try reconfigureLogFile(options)
            output.level = Self.level(for: options)
            try writeProcessFiles(options)
        } catch {
            log.error("Failed to reload server configuration: \(error)")
        }
        notifier.ready(status: "Server is ready")
    }

    /// SIGUSR1: reopens the log file (after logrotate moved it).
    func reopenLog() {
        guard let file = output.logFile else {
            log.info("File log re-open ignored, not a file logger")
            return
        }
        do {
            try file.reopen()
            log.info("File log re-opened")
        } catch {
            log.error("File log re-open failed: \(error)")
        }
    }

    /// SIGINT/SIGTERM: graceful shutdown.
    func shutdown() {
        notifier.stopWatchdog()
        notifier.stopping()
        server.shutdown()
    }

    /// Blocks until the server has shut down, then removes the process files.
    func waitUntilShutdown() {
        server.waitUntilShutdown()
        let (pid, ports) = files.withLock { $0 }
        try? ports?.remove()
        _ = pid?.remove()
        output.logFile?.close()
    }

    private static func level(for options: ServerOptions) -> Logger.Level {
        options.trace ? .trace : options.debug ? .debug : .info
    }

    private func writeProcessFiles(_ options: ServerOptions) throws {
        let pid = options.pidFile.map(PidFile.init(path:))
        try pid?.write()
        let ports = options.portsFileDirectory.map { PortsFile(directory: $0) }
        if let ports, let clientPort = server.clientPort {
            try ports.write(.init(nats: PortsFile.urls(scheme: "nats", host: options.host, port: clientPort),
                                  monitoring: server.monitorPort.map {
                                      PortsFile.urls(scheme: "http", host: options.httpHost ?? options.host, port: $0)
                                  }))
        }
        let old = files.withLock { current in
            let old = current
            current = (pid, ports)
            return old
        }
        if let oldPorts = old.ports, oldPorts.path != ports?.path { try? oldPorts.remove() }
        if let oldPid = old.pid, oldPid.path != pid?.path { _ = oldPid.remove() }
    }

    private func reconfigureLogFile(_ options: ServerOptions) throws {
        if let path = options.logFile, path != output.logFile?.path {
            output.use(try LogFile(path: path, sizeLimit: options.logSizeLimit, maxFiles: options.logMaxFiles,
                                   withTime: options.logTime))?.close()
        } else if options.logFile == nil, output.logFile != nil {
            output.use(nil)?.close()
        } else {
            output.logFile?.setLimits(sizeLimit: options.logSizeLimit, maxFiles: options.logMaxFiles)
        }
    }
}
