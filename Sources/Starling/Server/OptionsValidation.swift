/// Checks across options that nats-server makes before it starts (server.go: validateOptions).
struct OptionsError: Error, CustomStringConvertible {
    let description: String
}

extension ServerOptions {
    /// Throws when options contradict each other.
    func validate() throws {
        if maxPayload > maxPending {
            throw OptionsError(description: "max_payload (\(maxPayload)) cannot be higher than max_pending (\(maxPending))")
        }
        if lameDuckDuration < .seconds(30) {
            throw OptionsError(description: "invalid lame_duck_duration of \(lameDuckDuration), minimum is 30 seconds")
        }
        if maxControlLine <= 0 || maxPayload <= 0 {
            throw OptionsError(description: "max_control_line and max_payload must be positive")
        }
    }
}
