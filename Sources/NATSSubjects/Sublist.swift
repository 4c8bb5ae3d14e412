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

    /// Number of cached match results (for monitoring).
    public var cacheCount: Int { state.withLock { $0.cache.count } }
}

/// The trie and cache behind a ``Sublist``; only touched under its mutex.
struct SublistState<Element: SublistEntry> {
    static var maxCache: Int { 1024 }

    var root = SublistLevel<Element>()
    var cache: [String: SublistResult<Element>] = [:]
    var count = 0

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
        for (parent, token, node) in path.reversed() {
            guard node.isEmpty, node.next?.isEmpty ?? true else { break }
            parent.removeChild(for: token)
        }
        invalidate(entry.subject)
        return true
    }

    mutating func match(_ subject: String) -> SublistResult<Element> {
        if let hit = cache[subject] { return hit }
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
