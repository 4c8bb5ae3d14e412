import Synchronization

/// The interest trie: subscriptions indexed by subject tokens, with `*` and `>` wildcards.
///
/// All state is guarded by one mutex; reads go through a bounded match cache. The
/// ``generation`` changes on every insert or remove, so callers may keep their own caches of
/// results and drop them when the generation moves.
public final class Sublist<Element: SublistEntry>: Sendable {
    private let state = Mutex(SublistState<Element>())
    private let generationCounter = Atomic<UInt64>(1)

    /// Creates an empty sublist.
    public init() {}

    /// Changes on every insert or remove; a cached result is valid while this is unchanged.
    public var generation: UInt64 { generationCounter.load(ordering: .acquiring) }

    /// Adds a subscription. The caller validates the subject first.
    public func insert(_ entry: Element) {
        state.withLock { $0.insert(entry) }
        generationCounter.add(1, ordering: .releasing)
    }

    /// Removes a subscription; returns false if it was not present.
    @discardableResult
    public func remove(_ entry: Element) -> Bool {
        let removed = state.withLock { $0.remove(entry) }
        if removed { generationCounter.add(1, ordering: .releasing) }
        return removed
    }

    /// Removes many subscriptions under one lock (a closing connection).
    public func removeAll(_ entries: [Element]) {
        guard !entries.isEmpty else { return }
        state.withLock { s in for e in entries { _ = s.remove(e) } }
        generationCounter.add(1, ordering: .releasing)
    }

    /// The subscriptions interested in the literal subject `subject`.
    public func match(_ subject: String) -> SublistResult<Element> {
        state.withLock { $0.match(subject) }
    }

    /// The number of subscriptions.
    public var count: Int { state.withLock { $0.count } }

    /// Every subscription (for monitoring).
    public func all() -> [Element] { state.withLock { $0.all() } }

    /// Counters and cache figures for monitoring.
    public var statistics: SublistStatistics {
        state.withLock { s in
            var stats = s.statistics
            stats.subscriptions = s.count
            stats.cacheEntries = s.cache.count
            let fanouts = s.cache.values.map { $0.plain.count + $0.queues.count }
            stats.maxFanout = fanouts.max() ?? 0
            stats.averageFanout = fanouts.isEmpty ? 0 : Double(fanouts.reduce(0, +)) / Double(fanouts.count)
            return stats
        }
    }
}

/// What /subsz reports about a sublist (nats-server sublist.go: SublistStats).
public struct SublistStatistics: Sendable {
    /// Subscriptions stored.
    public var subscriptions = 0
    /// Cached match results.
    public var cacheEntries = 0
    /// Inserts since start.
    public var inserts = 0
    /// Removes since start.
    public var removes = 0
    /// Match calls since start.
    public var matches = 0
    /// Match calls answered from the cache.
    public var cacheHits = 0
    /// Largest number of subscribers (queue groups counted once) of a cached subject.
    public var maxFanout = 0
    /// Average of the same over cached subjects.
    public var averageFanout = 0.0

    /// Fraction of matches answered from the cache.
    public var cacheHitRate: Double { matches == 0 ? 0 : Double(cacheHits) / Double(matches) }

    /// Zeroed statistics, for summing several sublists.
    public init() {}
}

/// The trie and cache behind a ``Sublist``; only touched under its mutex.
struct SublistState<Element: SublistEntry> {
    static var maxCache: Int { 1024 }

    var root = SublistLevel<Element>()
    var cache: [String: SublistResult<Element>] = [:]
    var count = 0
    var statistics = SublistStatistics()

    mutating func insert(_ entry: Element) {
        var level = root
        var node: SublistNode<Element>! = nil
        for token in Subject.tokens(entry.subject) {
            node = level.child(for: token)
            if node.next == nil { node.next = SublistLevel() }
            level = node.next!
        }
        node.add(entry)
        count += 1
        statistics.inserts += 1
        invalidate(entry.subject)
    }

    mutating func remove(_ entry: Element) -> Bool {
        var path: [(SublistLevel<Element>, Substring, SublistNode<Element>)] = []
        var level = root
        for token in Subject.tokens(entry.subject) {
            guard let node = level.existingChild(for: token) else { return false }
            path.append((level, token, node))
            guard let next = node.next else { return false }
            level = next
        }
        guard let last = path.last, last.2.remove(entry) else { return false }
        count -= 1
        statistics.removes += 1
        for (parent, token, node) in path.reversed() {
            guard node.isEmpty, node.next?.isEmpty ?? true else { break }
            parent.removeChild(for: token)
        }
        invalidate(entry.subject)
        return true
    }

    mutating func match(_ subject: String) -> SublistResult<Element> {
        statistics.matches += 1
        if let hit = cache[subject] {
            statistics.cacheHits += 1
            return hit
        }
        var plain: [Element] = []
        var queues: [String: [Element]] = [:]
        let tokens = Subject.tokens(subject)
        if !tokens.contains(where: \.isEmpty) {
            SublistState.collect(root, tokens[...], &plain, &queues)
        }
        let result = SublistResult(plain: plain, queues: Array(queues.values))
        if cache.count >= Self.maxCache {
            // Drop an arbitrary half; the cache is an accelerator, not a record.
            for key in cache.keys.prefix(Self.maxCache / 2) { cache[key] = nil }
        }
        cache[subject] = result
        return result
    }

    static func collect(_ level: SublistLevel<Element>, _ tokens: ArraySlice<Substring>,
                        _ plain: inout [Element], _ queues: inout [String: [Element]]) {
        guard let token = tokens.first else { return }
        let rest = tokens.dropFirst()
        if let fwc = level.fullWildcard { fwc.appendAll(to: &plain, &queues) }
        for node in [level.partialWildcard, level.literals[token]] {
            guard let node else { continue }
            if rest.isEmpty {
                node.appendAll(to: &plain, &queues)
            } else if let next = node.next {
                collect(next, rest, &plain, &queues)
            }
        }
    }

    func all() -> [Element] {
        var out: [Element] = []
        root.forEachNode { node in
            out.append(contentsOf: node.plain)
            for group in node.queues.values { out.append(contentsOf: group) }
        }
        return out
    }

    /// Drops cached results that `pattern` may affect.
    mutating func invalidate(_ pattern: String) {
        guard !cache.isEmpty else { return }
        if !Subject.hasWildcard(Array(pattern.utf8)) {
            cache[pattern] = nil
            return
        }
        for key in cache.keys where Subject.matches(literal: key, pattern: pattern) { cache[key] = nil }
    }
}
