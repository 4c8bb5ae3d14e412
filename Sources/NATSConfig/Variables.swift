import Foundation

/// `$NAME` references: enclosing map scopes first (innermost first, keys defined
/// earlier), then the process environment, whose values are parsed as config
/// values. Bcrypt hashes (`$2a$...`, `$2b$...`, `$2y$...`) are plain strings.
extension Parser {
    static let bcryptPrefixes = ["$2a$", "$2b$", "$2y$"]

    mutating func resolveVariableToken(_ token: String, at position: SourcePosition) throws -> ConfigNode {
        if Parser.bcryptPrefixes.contains(where: { token.hasPrefix($0) }) {
            return ConfigNode(.string(token), position: position)
        }
        let name = String(token.dropFirst())
        if name.isEmpty {
            throw ConfigError("variable reference '$' has no name", at: position)
        }
        for scope in scopes.reversed() {
            if let node = scope.resolve(name) {
                var node = node
                node.position = position
                return node
            }
        }
        return try resolveEnvironmentVariable(name, at: position)
    }

    private func resolveEnvironmentVariable(_ name: String, at position: SourcePosition) throws -> ConfigNode {
        if context.resolvingEnvironment.contains(name) {
            throw Parser.variableError(.cycle(name), at: position)
        }
        guard let raw = getenv(name).map({ String(cString: $0) }) else {
            throw Parser.variableError(.notFound(name), at: position)
        }
        guard context.resolvingEnvironment.count < ParseContext.maximumEnvironmentDepth else {
            throw ConfigError("environment variable '\(name)' refers to variables nested too deeply", at: position)
        }
        var nested = context
        nested.resolvingEnvironment.append(name)
        nested.initialDepth = depth
        let pseudoKey = "pk"
        var parser = Parser(text: "\(pseudoKey)=\(raw)", file: "$\(name)", context: nested)
        do {
            let document = try parser.parseDocument()
            if let entries = document.entries, entries.count == 1, entries[0].key == pseudoKey {
                return entries[0].node.relocated(to: position)
            }
        } catch let error as ConfigError {
            if let failure = error.variableFailure {
                throw Parser.variableError(failure, at: position)
            }
            // Not a valid config value (e.g. contains spaces): use the raw text.
        }
        return ConfigNode(.string(raw), position: position)
    }

    static func variableError(_ failure: VariableFailure, at position: SourcePosition) -> ConfigError {
        switch failure {
        case .notFound(let name):
            return ConfigError(
                "variable reference for '\(name)' on line \(position.line) can not be found",
                at: position, variableFailure: failure)
        case .cycle(let name):
            return ConfigError(
                "variable reference cycle for '\(name)' through environment variables",
                at: position, variableFailure: failure)
        }
    }
}
