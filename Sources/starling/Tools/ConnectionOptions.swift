import ArgumentParser
import Foundation
import NATSClient

/// The connection options every tool takes (`-s`, credentials, TLS, `--timeout`), named as the
/// `nats` command-line tool names them.
struct ConnectionOptions: ParsableArguments {
    @Option(name: [.customShort("s"), .long],
            help: "Server URL, nats:// or tls:// (default: $NATS_URL, else nats://127.0.0.1:4222). Of a comma-separated list the first is used.")
    var server: String?

    @Option(help: "User name.")
    var user: String?

    @Option(help: "Password.")
    var password: String?

    @Option(help: "Authentication token.")
    var token: String?

    @Option(help: ArgumentHelp("User credentials file (JWT and NKey seed).", valueName: "file"))
    var creds: String?

    @Option(help: ArgumentHelp("NKey seed file (SU…).", valueName: "file"))
    var nkey: String?

    @Option(help: ArgumentHelp("TLS client certificate (PEM) for mutual TLS.", valueName: "file"))
    var tlscert: String?

    @Option(help: ArgumentHelp("TLS client private key (PEM).", valueName: "file"))
    var tlskey: String?

    @Option(help: ArgumentHelp("TLS certificate authorities (PEM) that verify the server.", valueName: "file"))
    var tlsca: String?

    @Flag(help: "Do the TLS handshake before the server's INFO (server option handshake_first).")
    var tlsfirst = false

    @Option(help: "Time allowed to connect, and to wait for a reply (e.g. 2s, 500ms, 1m).")
    var timeout = ToolDuration(.seconds(5))

    /// The default server when neither `--server` nor `$NATS_URL` gives one.
    static let defaultServer = "nats://127.0.0.1:4222"

    func validate() throws {
        if (tlscert == nil) != (tlskey == nil) {
            throw ValidationError("--tlscert and --tlskey go together")
        }
        if creds != nil && nkey != nil {
            throw ValidationError("--creds and --nkey cannot be used together")
        }
    }

    /// The server URL: `--server`, else `$NATS_URL`, else the default; the first of a list.
    var serverURL: String {
        let given = server ?? ProcessInfo.processInfo.environment["NATS_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let first = (given ?? Self.defaultServer).split(separator: ",").first.map(String.init)
        return first?.trimmingCharacters(in: .whitespaces) ?? Self.defaultServer
    }

    /// Client options for `tool` (the name the server shows for the connection).
    func clientOptions(tool: String) throws -> NATSClientOptions {
        var options = try NATSClientOptions(url: serverURL)
        options.name = "starling \(tool)"
        if let user {
            options.user = user
            options.password = password ?? ""
        } else if let password {
            options.password = password
        }
        if let token { options.token = token }
        if let creds { options.credentialsFile = creds }
        if let nkey {
            guard let data = FileManager.default.contents(atPath: nkey) else {
                throw ToolError("cannot read NKey seed file \(nkey)")
            }
            options.nkeySeed = String(decoding: data, as: UTF8.self)
        }
        options.tlsCertFile = tlscert
        options.tlsKeyFile = tlskey
        options.tlsCAFile = tlsca
        options.tlsHandshakeFirst = tlsfirst
        options.connectTimeout = timeout.duration
        options.requestTimeout = timeout.duration
        return options
    }

    /// Connects for `tool`; asynchronous server errors go to `errors`.
    func connect(tool: String, errors: ServerErrors) async throws -> NATSConnection {
        var options = try clientOptions(tool: tool)
        options.errorHandler = { errors.record($0) }
        do {
            return try await NATSConnection.connect(options)
        } catch NATSError.tlsHandshakeFailed(let reason) where tlsca == nil {
            throw ToolError("TLS handshake failed: \(reason) (without --tlsca the system's certificate authorities verify the server)")
        } catch NATSError.connectionClosed where !tlsfirst {
            throw ToolError("the server closed the connection during the handshake (a server with TLS handshake_first needs --tlsfirst)")
        }
    }
}

extension ConnectionOptions {
    /// Connects for `tool`, runs `body`, and closes the connection however `body` ends.
    func withConnection<T>(tool: String, errors: ServerErrors,
                           _ body: (NATSConnection) async throws -> T) async throws -> T {
        let connection = try await connect(tool: tool, errors: errors)
        do {
            let result = try await body(connection)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Waits until the server has processed everything sent so far, then fails with the first
    /// server error that arrived meanwhile (a permission violation arrives asynchronously: its
    /// `-ERR` comes before the `PONG`).
    func confirm(_ connection: NATSConnection, errors: ServerErrors) async throws {
        try await connection.flush(timeout: timeout.duration)
        if let error = errors.first { throw error }
    }
}
