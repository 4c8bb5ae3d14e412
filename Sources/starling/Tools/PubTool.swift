import ArgumentParser
import Foundation
import NATSClient

/// `starling pub SUBJECT [MESSAGE]`: publishes, then waits for the server's PONG so that a
/// refused publish (a permission violation) is reported and exits with status 1.
struct PubTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pub",
        abstract: "Publish a message.",
        aliases: ["publish"]
    )

    @Argument(help: "Subject to publish to.")
    var subject: String

    @Argument(help: "Message body (default: empty).")
    var message: String?

    @Option(help: "Publish the message this many times.")
    var count = 1

    @Option(help: "Reply subject to send with the message.")
    var reply: String?

    @Option(name: [.customShort("H"), .long], help: ArgumentHelp("Header as K:V (repeatable).", valueName: "K:V"))
    var header: [HeaderArgument] = []

    @Flag(help: "Read the message body from standard input.")
    var stdin = false

    @OptionGroup(title: "Connection options")
    var connection: ConnectionOptions

    func validate() throws {
        if count < 1 { throw ValidationError("--count must be at least 1") }
        if stdin && message != nil { throw ValidationError("give MESSAGE or --stdin, not both") }
    }

    func run() async throws {
        try await ToolRunner.run {
            let payload = stdin ? Array(FileHandle.standardInput.readDataToEndOfFile()) : Array((message ?? "").utf8)
            let headers = HeaderArgument.block(header)
            let errors = ServerErrors()
            try await connection.withConnection(tool: "pub", errors: errors) { nc in
                for _ in 0..<count {
                    try nc.publish(subject: subject, reply: reply, payload: payload, headers: headers)
                }
                try await connection.confirm(nc, errors: errors)
            }
            let what = count == 1 ? "\(payload.count) bytes" : "\(count) messages of \(payload.count) bytes"
            ToolOutput.info("Published \(what) to \(ToolOutput.quoted(subject))")
        }
    }
}
