import ArgumentParser
import NATSClient

/// `starling reply SUBJECT RESPONSE`: answers requests until `--count` is reached or Ctrl-C.
struct ReplyTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reply",
        abstract: "Answer requests on a subject.",
        discussion: """
        Every request is answered with RESPONSE, in which {{Request}} is replaced by the request's \
        payload. Responders join the queue group NATS-RPLY-22 (as the nats tool's do) unless \
        --queue names another. Stops after --count requests, or on Ctrl-C.
        """
    )

    @Argument(help: "Subject to answer requests on (wildcards allowed).")
    var subject: String

    @Argument(help: "Response body; {{Request}} is replaced by the request payload.")
    var response: String

    @Option(help: "Queue group of the responders.")
    var queue = "NATS-RPLY-22"

    @Option(help: "Exit after answering this many requests.")
    var count: Int?

    @Option(name: [.customShort("H"), .long], help: ArgumentHelp("Header for the responses as K:V (repeatable).", valueName: "K:V"))
    var header: [HeaderArgument] = []

    @OptionGroup(title: "Connection options")
    var connection: ConnectionOptions

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
    }

    /// RESPONSE for a request with `payload`.
    static func body(_ template: String, request payload: String) -> String {
        template.replacingOccurrences(of: "{{Request}}", with: payload)
    }

    func run() async throws {
        try await ToolRunner.run {
            let errors = ServerErrors()
            let headers = HeaderArgument.block(header)
            try await connection.withConnection(tool: "reply", errors: errors) { nc in
                let subscription = try await nc.subscribe(to: subject, queue: queue)
                if let count { try subscription.unsubscribe(max: count) }
                try await connection.confirm(nc, errors: errors)
                errors.startPrinting()
                Interrupt.onInterrupt { try? subscription.unsubscribe() }
                ToolOutput.info("Listening on \(ToolOutput.quoted(subject)) in group \(ToolOutput.quoted(queue))")
                let printer = MessagePrinter()
                var answered = 0
                for await request in subscription {
                    answered += 1
                    printer.print(request, number: answered)
                    if let replySubject = request.reply {
                        let body = Self.body(response, request: request.string)
                        try nc.publish(subject: replySubject, payload: Array(body.utf8), headers: headers)
                    } else {
                        ToolOutput.info("[#\(answered)] no reply subject: not answered")
                    }
                    if let count, answered >= count { break }
                }
                if nc.isClosed { throw NATSError.connectionClosed }
                try await nc.flush(timeout: connection.timeout.duration)
            }
            if !errors.isEmpty { throw ExitCode(1) }
        }
    }
}
