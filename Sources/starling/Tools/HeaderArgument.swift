import ArgumentParser
import NATSClient

/// A `--header K:V` argument.
struct HeaderArgument: ExpressibleByArgument, Sendable {
    let name: String
    let value: String

    init?(argument: String) {
        guard let colon = argument.firstIndex(of: ":") else { return nil }
        let name = argument[..<colon].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, !name.contains(" ") else { return nil }
        self.name = name
        self.value = argument[argument.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }

    /// The header block of `arguments`, or nil when there are none.
    static func block(_ arguments: [HeaderArgument]) -> NATSHeaders? {
        arguments.isEmpty ? nil : NATSHeaders(arguments.map { ($0.name, $0.value) })
    }
}
