import ArgumentParser
import NATSClient

/// `starling sub SUBJECT`: prints the messages received until `--count` is reached or Ctrl-C.
struct SubTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sub",
        abstract: "Subscribe to a subject and print the messages received.",
        discussion: "Stops after --count messages, or on Ctrl-C. Exits with status 1 when the server refused the subscription or reported another error.",
        aliases: ["subscribe"]
    )

    @Argument(help: "Subject to subscribe to (wildcards allowed).")
    var subject: String

    @Option(help: "Join this queue group.")
    var queue: String?

    @Option(help: "Exit after this many messages.")
    var count: Int?

    @Flag(help: "Print only the payloads.")
    var raw = false

    @OptionGroup(title: "Connection options")
    var connection: ConnectionOptions

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
    }

    func run() async throws {
        try await ToolRunner.run {
            let errors = ServerErrors()
            try await connection.withConnection(tool: "sub", errors: errors) { nc in
                let subscription = try await nc.subscribe(to: subject, queue: queue)
                if let count { try subscription.unsubscribe(max: count) }
                try await connection.confirm(nc, errors: errors)
                errors.startPrinting()
                Interrupt.onInterrupt { try? subscription.unsubscribe() }
                ToolOutput.info("Subscribing on \(subject)" + (queue.map { " in queue group \($0)" } ?? ""))
                let printer = MessagePrinter(raw: raw)
                var received = 0
                for await message in subscription {
                    received += 1
                    printer.print(message, number: received)
                    if let count, received >= count { break }
                }
                if nc.isClosed { throw NATSError.connectionClosed }
            }
            if !errors.isEmpty { throw ExitCode(1) }
        }
    }
}
