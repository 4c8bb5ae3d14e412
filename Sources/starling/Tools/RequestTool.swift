import ArgumentParser
import NATSClient

/// `starling request SUBJECT MESSAGE`: sends one request and prints the reply.
struct RequestTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Send a request and print the reply.",
        discussion: "Exits with status 1 when nobody is subscribed (no responders) or no reply came within --timeout.",
        aliases: ["req"]
    )

    @Argument(help: "Subject to send the request to.")
    var subject: String

    @Argument(help: "Request body (default: empty).")
    var message = ""

    @Option(name: [.customShort("H"), .long], help: ArgumentHelp("Header as K:V (repeatable).", valueName: "K:V"))
    var header: [HeaderArgument] = []

    @Flag(help: "Print only the reply's payload.")
    var raw = false

    @OptionGroup(title: "Connection options")
    var connection: ConnectionOptions

    func run() async throws {
        try await ToolRunner.run {
            let errors = ServerErrors()
            let reply = try await connection.withConnection(tool: "request", errors: errors) { nc in
                if !raw { ToolOutput.info("Sending request on \(ToolOutput.quoted(subject))") }
                let start = ContinuousClock.now
                let reply: NATSMessage
                do {
                    reply = try await nc.request(subject: subject, payload: Array(message.utf8),
                                                 headers: HeaderArgument.block(header),
                                                 timeout: connection.timeout.duration)
                } catch NATSError.timeout {
                    // A refused publish shows as a missing reply; the -ERR says why.
                    if let error = errors.first { throw error }
                    throw ToolError("no reply on \(ToolOutput.quoted(subject)) within \(connection.timeout)")
                }
                if !raw { ToolOutput.info("Received with rtt \(Self.milliseconds(ContinuousClock.now - start))") }
                return reply
            }
            let headers = raw ? "" : MessagePrinter.headerLines(reply.headers)
            ToolOutput.out(headers + reply.string + "\n")
        }
    }

    /// `1.234ms`.
    static func milliseconds(_ duration: Duration) -> String {
        let micros = duration / .microseconds(1)
        let whole = Int(micros) / 1000
        let fraction = Int(micros) % 1000
        return "\(whole).\(String(repeating: "0", count: 3 - String(fraction).count))\(fraction)ms"
    }
}
