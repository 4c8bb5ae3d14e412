/// A fixed-capacity history that forgets its oldest element when full.
struct BoundedHistory<Element> {
    private var storage: [Element] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[next] = element
            next = (next + 1) % capacity
        }
    }

    /// Oldest first.
    var elements: [Element] { Array(storage[next...] + storage[..<next]) }
}
