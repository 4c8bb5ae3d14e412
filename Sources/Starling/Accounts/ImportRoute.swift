import Foundation
import NATSSubjects
import Synchronization

/// What an internal subscription does with a matching message.
enum ImportRoute: Sendable {
    /// A service import in the importing account: re-publish the request in the exporter.
    case serviceImport(ServiceImportRoute)
    /// `_R_.<prefix>.>` in the exporter: return a response to the importer's original reply.
    case serviceResponses(ResponseTable)
}

/// One service import: requests on `local` in the importer go to `remote` in the exporter,
/// with their reply rewritten so the response finds its way back.
final class ServiceImportRoute: Sendable {
    let importer: Account
    let exporter: Account
    let local: SubjectPattern
    let remote: SubjectPattern
    let responses: ResponseTable

    init(importer: Account, exporter: Account, config: ImportConfig, export: ExportConfig, responses: ResponseTable) {
        self.importer = importer
        self.exporter = exporter
        remote = SubjectPattern(config.subject)
        local = SubjectPattern(config.to ?? config.subject)
        self.responses = responses
    }

    /// The exporter subject for a request published on `subject` in the importer.
    func toRemote(_ subject: String) -> String {
        guard local != remote, let values = local.wildcardValues(in: subject), let mapped = remote.filled(with: values) else {
            return subject
        }
        return mapped
    }
}

/// Reply mappings of one importer→exporter service relation: `_R_.<prefix>.<token>` in the
/// exporter back to the requester's reply in the importer. Bounded: entries expire after the
/// export's response threshold, and singleton entries go with their first response.
final class ResponseTable: Sendable {
    /// The importer's account, where responses are delivered.
    let importer: Account
    /// `_R_.<prefix>` (no trailing dot).
    let prefix: String
    private let responseType: ExportConfig.ResponseType
    private let threshold: Duration
    private let entries = Mutex<[String: ResponseEntry]>([:])
    private static let maxEntries = 100_000

    struct ResponseEntry {
        var reply: [UInt8]
        var expires: ContinuousClock.Instant
    }

    init(importer: Account, export: ExportConfig) {
        self.importer = importer
        prefix = "_R_." + ServerIdentity.randomToken(length: 6)
        responseType = export.responseType
        threshold = export.responseThreshold
    }

    /// Registers a reply and returns the exporter-side reply subject.
    func register(reply: UnsafeRawBufferPointer) -> String {
        let mapped = prefix + "." + ServerIdentity.randomToken(length: 10)
        let now = ContinuousClock.now
        entries.withLock { map in
            if map.count >= Self.maxEntries {
                map = map.filter { $0.value.expires > now }
                if map.count >= Self.maxEntries, let oldest = map.min(by: { $0.value.expires < $1.value.expires }) {
                    map[oldest.key] = nil
                }
            }
            map[mapped] = ResponseEntry(reply: Array(reply), expires: now + threshold)
        }
        return mapped
    }

    /// The original reply for a response sent to `subject`, consuming singleton mappings; nil
    /// when unknown or expired.
    func resolve(_ subject: String) -> [UInt8]? {
        let now = ContinuousClock.now
        return entries.withLock { map in
            guard var entry = map[subject] else { return nil }
            if entry.expires < now {
                map[subject] = nil
                return nil
            }
            if responseType == .singleton {
                map[subject] = nil
            } else {
                entry.expires = now + threshold
                map[subject] = entry
            }
            return entry.reply
        }
    }
}
