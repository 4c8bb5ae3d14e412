import Foundation

/// The repository's packaging files (docker/), read as text for `PackagingFilesTests`.
enum PackagingFiles {
    /// The repository root: three levels above this file (Tests/PackagingTests/…).
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
    }

    static func exists(_ relativePath: String) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(relativePath).path)
    }
}

/// One Dockerfile instruction, continuation lines joined, comments dropped.
struct DockerInstruction: Equatable {
    let keyword: String
    let arguments: String

    /// The instructions of a Dockerfile, in order.
    static func parse(_ text: String) -> [DockerInstruction] {
        var instructions: [DockerInstruction] = []
        var pending = ""
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") { continue }  // comments (and the syntax directive)
            if line.hasSuffix("\\") {
                pending += line.dropLast() + " "
                continue
            }
            let whole = (pending + line).trimmingCharacters(in: .whitespaces)
            pending = ""
            guard !whole.isEmpty else { continue }
            let parts = whole.split(separator: " ", maxSplits: 1)
            instructions.append(DockerInstruction(keyword: parts[0].uppercased(),
                                                  arguments: parts.count > 1 ? String(parts[1]) : ""))
        }
        return instructions
    }

    /// Whitespace-separated words, `--flags` included.
    var words: [String] { arguments.split(whereSeparator: \.isWhitespace).map(String.init) }

    /// The arguments of an exec-form (JSON array) instruction, or nil for shell form.
    var execForm: [String]? {
        var text = arguments
        if keyword == "HEALTHCHECK" {
            guard let range = text.range(of: "CMD ") else { return nil }
            text = String(text[range.upperBound...])
        }
        guard text.hasPrefix("["), let data = text.data(using: .utf8) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String]
    }
}

/// The `key=value` lines of a systemd unit file, in order (a key may repeat).
struct UnitFile {
    let entries: [(key: String, value: String)]

    init(_ text: String) {
        entries = text.split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), !trimmed.hasPrefix("["), let equals = trimmed.firstIndex(of: "=") else {
                return nil
            }
            return (String(trimmed[..<equals]), String(trimmed[trimmed.index(after: equals)...]))
        }
    }

    func values(_ key: String) -> [String] { entries.filter { $0.key == key }.map(\.value) }

    func value(_ key: String) -> String? { values(key).last }
}
