import NATSClient

/// Prints received messages as the `nats` tool does:
///
///     [#1] Received on "orders.new" with reply "_INBOX.x"
///     Key: value
///
///     payload
///
/// (header lines and their blank line only when the message has headers; a blank line after
/// a payload that does not end with a line feed). Raw mode prints only the payload and a line end.
struct MessagePrinter {
    var raw = false

    /// The text for message number `number`.
    func format(_ message: NATSMessage, number: Int) -> String {
        let payload = message.string
        if raw { return payload + "\n" }
        var text = "[#\(number)] Received on \(ToolOutput.quoted(message.subject))"
        if let reply = message.reply { text += " with reply \(ToolOutput.quoted(reply))" }
        text += "\n"
        text += Self.headerLines(message.headers)
        text += payload + "\n"
        if !payload.hasSuffix("\n") { text += "\n" }
        return text
    }

    /// `Name: value` lines and a blank line, or nothing when there are no headers.
    static func headerLines(_ headers: NATSHeaders?) -> String {
        guard let headers, !headers.fields.isEmpty || headers.status != nil else { return "" }
        var text = ""
        if let status = headers.status {
            text += "Status: \(status)"
            if let description = headers.statusDescription { text += " \(description)" }
            text += "\n"
        }
        for field in headers.fields { text += "\(field.name): \(field.value)\n" }
        return text + "\n"
    }

    /// Prints the message to standard output.
    func print(_ message: NATSMessage, number: Int) {
        ToolOutput.out(format(message, number: number))
    }
}
