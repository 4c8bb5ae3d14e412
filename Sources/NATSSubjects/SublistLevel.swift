/// One level of the interest trie: literal tokens, `*` and `>` children.
final class SublistLevel<Element: SublistEntry> {
    var literals: [Substring: SublistNode<Element>] = [:]
    var partialWildcard: SublistNode<Element>?
    var fullWildcard: SublistNode<Element>?

    var isEmpty: Bool { literals.isEmpty && partialWildcard == nil && fullWildcard == nil }

    func child(for token: Substring) -> SublistNode<Element> {
        if let existing = existingChild(for: token) { return existing }
        let node = SublistNode<Element>()
        switch token {
        case "*": partialWildcard = node
        case ">": fullWildcard = node
        default: literals[token] = node
        }
        return node
    }

    func existingChild(for token: Substring) -> SublistNode<Element>? {
        switch token {
        case "*": partialWildcard
        case ">": fullWildcard
        default: literals[token]
        }
    }

    func removeChild(for token: Substring) {
        switch token {
        case "*": partialWildcard = nil
        case ">": fullWildcard = nil
        default: literals[token] = nil
        }
    }

    func forEachNode(_ body: (SublistNode<Element>) -> Void) {
        for node in literals.values { node.visit(body) }
        partialWildcard?.visit(body)
        fullWildcard?.visit(body)
    }
}

/// A trie node: the subscriptions whose subject ends here, and the level below.
final class SublistNode<Element: SublistEntry> {
    var next: SublistLevel<Element>?
    var plain: [Element] = []
    var queues: [String: [Element]] = [:]

    var isEmpty: Bool { plain.isEmpty && queues.isEmpty }

    func add(_ entry: Element) {
        if let queue = entry.queue {
            queues[queue, default: []].append(entry)
        } else {
            plain.append(entry)
        }
    }

    func remove(_ entry: Element) -> Bool {
        if let queue = entry.queue {
            guard var group = queues[queue], let index = group.firstIndex(where: { $0 === entry }) else { return false }
            group.remove(at: index)
            queues[queue] = group.isEmpty ? nil : group
            return true
        }
        guard let index = plain.firstIndex(where: { $0 === entry }) else { return false }
        plain.remove(at: index)
        return true
    }

    func appendAll(to plain: inout [Element], _ queues: inout [String: [Element]]) {
        plain.append(contentsOf: self.plain)
        for (name, group) in self.queues { queues[name, default: []].append(contentsOf: group) }
    }

    func visit(_ body: (SublistNode<Element>) -> Void) {
        body(self)
        next?.forEachNode(body)
    }
}
