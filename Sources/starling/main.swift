// Catches the process's signals before any other code runs (see `ProcessSignals`).
ProcessSignals.install()
await StarlingCommand.start()
