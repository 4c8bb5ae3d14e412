import NATSSubjects

/// A stream import as used at run time: which exporter subjects it covers and how they appear
/// in the importing account (`to` mapping or `prefix`).
final class StreamImportRoute: Sendable {
    /// The importing account.
    let importer: Account
    /// The exporting account.
    let exporter: Account
    /// The subject imported, in the exporter.
    let remote: SubjectPattern
    /// The same subjects as the importer sees them.
    let local: SubjectPattern
    private let prefix: String?
    private let mapsSubjects: Bool

    init(importer: Account, exporter: Account, config: ImportConfig) {
        self.importer = importer
        self.exporter = exporter
        remote = SubjectPattern(config.subject)
        if let to = config.to {
            local = SubjectPattern(to)
            prefix = nil
        } else if let prefix = config.prefix {
            let trimmed = prefix.hasSuffix(".") ? String(prefix.dropLast()) : prefix
            local = SubjectPattern(trimmed + "." + config.subject)
            self.prefix = trimmed
        } else {
            local = remote
            prefix = nil
        }
        mapsSubjects = local != remote
    }

    /// The exporter subject to watch for an importer subscription on `subject`, and whether
    /// deliveries must still be checked against the subscription's subject.
    func watch(for subject: String) -> (remote: String, needsFilter: Bool)? {
        let wanted = SubjectPattern(subject)
        guard wanted.overlaps(local) else { return nil }
        if !mapsSubjects {
            if Subject.hasWildcard(Array(subject.utf8)) { return (remote.text, true) }
            return (subject, false)
        }
        if !Subject.hasWildcard(Array(subject.utf8)), let translated = toRemote(subject) { return (translated, false) }
        return (remote.text, true)
    }

    /// The importer's subject for a message published on `subject` in the exporter.
    func toLocal(_ subject: String) -> String {
        guard mapsSubjects else { return subject }
        if let prefix { return prefix + "." + subject }
        guard let values = remote.wildcardValues(in: subject), let mapped = local.filled(with: values) else { return subject }
        return mapped
    }

    private func toRemote(_ subject: String) -> String? {
        if let prefix {
            guard subject.hasPrefix(prefix + ".") else { return nil }
            return String(subject.dropFirst(prefix.count + 1))
        }
        guard let values = local.wildcardValues(in: subject) else { return nil }
        return remote.filled(with: values)
    }
}
