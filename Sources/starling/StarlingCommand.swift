import ArgumentParser

/// `starling`: runs the server (the default) or one of the tools.
@main
struct StarlingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starling",
        abstract: "A NATS-compatible message server.",
        subcommands: [RunCommand.self, BenchCommand.self, PubTool.self, SubTool.self, RequestTool.self, ReplyTool.self],
        defaultSubcommand: RunCommand.self
    )
}
