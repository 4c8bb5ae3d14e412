import NATSSubjects

/// A permission subject in an allow or deny list; queue-qualified subscribe entries carry a queue.
final class PermissionEntry: SublistEntry, Sendable {
    let subject: String
    let queue: String?

    init(_ text: String) {
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        subject = parts[0]
        queue = parts.count > 1 ? parts[1] : nil
    }
}

/// A user's permissions compiled into interest tries, checked as nats-server does
/// (client.go: pubAllowedFullCheck, canSubscribe): no allow list allows all, deny beats allow.
final class ClientPermissions: Sendable {
    private let publishAllow: Sublist<PermissionEntry>?
    private let publishDeny: Sublist<PermissionEntry>?
    private let subscribeAllow: Sublist<PermissionEntry>?
    private let subscribeDeny: Sublist<PermissionEntry>?
    /// Plain subscribe-deny subjects, for filtering deliveries to overlapping wildcard subscriptions.
    private let subscribeDenyPatterns: [SubjectPattern]
    /// Dynamic reply permission (`allow_responses`).
    let responses: ResponsePermission?

    init(_ config: PermissionsConfig) {
        func trie(_ subjects: [String]?) -> Sublist<PermissionEntry>? {
            guard let subjects else { return nil }
            let list = Sublist<PermissionEntry>()
            for s in subjects { list.insert(PermissionEntry(s)) }
            return list
        }
        publishAllow = trie(config.publish?.allow)
        publishDeny = config.publish.map { $0.deny.isEmpty ? nil : trie($0.deny) } ?? nil
        subscribeAllow = trie(config.subscribe?.allow)
        subscribeDeny = config.subscribe.map { $0.deny.isEmpty ? nil : trie($0.deny) } ?? nil
        subscribeDenyPatterns = (config.subscribe?.deny ?? []).filter { !$0.contains(" ") }.map(SubjectPattern.init)
        responses = config.allowResponses
    }

    /// Whether publishing is restricted at all.
    var restrictsPublish: Bool { publishAllow != nil || publishDeny != nil }

    /// Whether `subject` may be published (without dynamic reply grants).
    func canPublish(_ subject: String) -> Bool {
        var allowed = true
        if let allow = publishAllow { allowed = !allow.match(subject).plain.isEmpty }
        if allowed, let deny = publishDeny { allowed = deny.match(subject).plain.isEmpty }
        return allowed
    }

    /// Whether a subscription to `subject` (in `queue`) may be made.
    func canSubscribe(_ subject: String, queue: String?) -> Bool {
        var allowed = true
        if let allow = subscribeAllow {
            let result = allow.match(subject)
            allowed = !result.plain.isEmpty
            if let queue, !result.queues.isEmpty {
                allowed = Self.queueMatches(queue, result.queues)
            }
        }
        if allowed, let deny = subscribeDeny {
            let result = deny.match(subject)
            allowed = result.plain.isEmpty
            if let queue, !result.queues.isEmpty {
                allowed = !Self.queueMatches(queue, result.queues)
            }
        }
        return allowed
    }

    /// For a wildcard subscription that overlaps denied subjects: the patterns whose messages
    /// must not be delivered to it (nats-server's message deny filter).
    func deliveryDenyFilter(for subject: String) -> [SubjectPattern]? {
        guard !subscribeDenyPatterns.isEmpty, Subject.hasWildcard(Array(subject.utf8)) else { return nil }
        let pattern = SubjectPattern(subject)
        let overlapping = subscribeDenyPatterns.filter { $0.overlaps(pattern) }
        return overlapping.isEmpty ? nil : overlapping
    }

    private static func queueMatches(_ queue: String, _ groups: [[PermissionEntry]]) -> Bool {
        groups.contains { group in
            group.contains { entry in
                guard let pattern = entry.queue else { return false }
                return pattern == queue || Subject.matches(literal: queue, pattern: pattern)
            }
        }
    }
}
