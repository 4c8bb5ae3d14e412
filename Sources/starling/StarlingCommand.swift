import ArgumentParser

/// `starling`: runs the server (the default) or one of the tools.
struct StarlingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starling",
        abstract: "A NATS-compatible message server.",
        subcommands: [RunCommand.self, BenchCommand.self, PubTool.self, SubTool.self, RequestTool.self, ReplyTool.self],
        defaultSubcommand: RunCommand.self
    )

    /// The entry point, as ArgumentParser's `main()` (`main.swift` catches the process's signals before calling it);
    /// a command that is not `TakesSignalsAfterStart` starts taking them at once.
    nonisolated static func start() async {
        do {
            var command = try parseAsRoot()
            if !(command is TakesSignalsAfterStart) { ProcessSignals.listen() }
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// A command that starts `ProcessSignals.listen()` itself once it is ready to act on them, so a
/// signal sent during start-up waits instead of ending the process by default.
protocol TakesSignalsAfterStart: SendableMetatype {}
