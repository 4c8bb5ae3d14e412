#if canImport(Glibc)
import Glibc
#endif
import NATSSubjects

/// A publisher's private cache of match results keyed by subject bytes, so a hit costs a hash
/// and a compare: no String, no lock. Entries are valid while the sublist generation is unchanged.
struct PublishCache {
    private struct Entry {
        var hash: UInt64 = 0
        var key: [UInt8] = []
        var generation: UInt64 = 0
        var result: SublistResult<Subscription>?
    }

    private static var slots: Int { 64 }
    /// Allocated on the first publish: most connections of a large deployment only subscribe.
    private var entries: [Entry] = []

    /// The subscriptions for `subject` in `sublist`.
    mutating func match(_ subject: UnsafeRawBufferPointer, in sublist: Sublist<Subscription>) -> SublistResult<Subscription> {
        let hash = Self.hash(subject)
        let slot = Int(truncatingIfNeeded: hash) & (Self.slots - 1)
        let generation = sublist.generation
        if entries.isEmpty { entries = [Entry](repeating: Entry(), count: Self.slots) }
        let found: SublistResult<Subscription>? = entries.withUnsafeMutableBufferPointer { table in
            let entry = table[slot]
            guard entry.hash == hash, entry.generation == generation, let result = entry.result,
                  entry.key.count == subject.count else { return nil }
            let same = entry.key.withUnsafeBytes { memcmp($0.baseAddress!, subject.baseAddress!, subject.count) == 0 }
            return same ? result : nil
        }
        if let found { return found }
        let result = sublist.match(String(decoding: subject, as: UTF8.self))
        entries[slot] = Entry(hash: hash, key: Array(subject), generation: generation, result: result)
        return result
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
