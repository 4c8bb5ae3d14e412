#if canImport(Glibc)
import Glibc
#endif
import NATSSubjects

/// A publisher's private cache of match results and publish permission, keyed by subject
/// bytes, so a hit costs a hash and a compare: no String, no lock. Entries are valid while the
/// sublist generation is unchanged; the owner replaces the cache when its account or
/// permissions change.
struct PublishCache {
    /// What a lookup found.
    struct Lookup {
        /// Subscriptions interested in the subject.
        let result: SublistResult<Subscription>
        /// Whether the publisher's permissions (without reply grants) allow the subject.
        let allowed: Bool
    }

    private struct Entry {
        var hash: UInt64 = 0
        var key: [UInt8] = []
        var generation: UInt64 = 0
        var result: SublistResult<Subscription>?
        var allowed = true
    }

    private static var slots: Int { 64 }
    /// Allocated on the first publish: most connections of a large deployment only subscribe.
    private var entries: [Entry] = []

    /// The subscriptions for `subject` in `sublist`, and whether `permissions` allow publishing.
    mutating func lookup(_ subject: UnsafeRawBufferPointer, in sublist: Sublist<Subscription>,
                         permissions: ClientPermissions?) -> Lookup {
        let hash = Self.hash(subject)
        let slot = Int(truncatingIfNeeded: hash) & (Self.slots - 1)
        let generation = sublist.generation
        if entries.isEmpty { entries = [Entry](repeating: Entry(), count: Self.slots) }
        let found: Lookup? = entries.withUnsafeMutableBufferPointer { table in
            let entry = table[slot]
            guard entry.hash == hash, entry.generation == generation, let result = entry.result,
                  entry.key.count == subject.count, subject.count > 0 else { return nil }
            let same = entry.key.withUnsafeBytes { memcmp($0.baseAddress!, subject.baseAddress!, subject.count) == 0 }
            return same ? Lookup(result: result, allowed: entry.allowed) : nil
        }
        if let found { return found }
        let text = String(decoding: subject, as: UTF8.self)
        let result = sublist.match(text)
        let allowed = permissions?.canPublish(text) ?? true
        entries[slot] = Entry(hash: hash, key: Array(subject), generation: generation, result: result, allowed: allowed)
        return Lookup(result: result, allowed: allowed)
    }

    /// FNV-1a over the subject bytes.
    @inline(__always)
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h = (h ^ UInt64(b)) &* 0x100_0000_01b3
        }
        return h
    }
}
