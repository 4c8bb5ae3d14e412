import NATSWire
import Synchronization

/// What one bench subscriber received: a count and a size check, nothing else per message.
final class SubscriberTally: Sendable {
    /// Messages received.
    let count = Atomic<Int>(0)
    /// Messages whose payload size was not the one published.
    let wrongSize = Atomic<Int>(0)
    /// When the subscriber was seen complete (monotonic ns), 0 until then.
    let finishedAt = Atomic<UInt64>(0)
    private let size: Int

    init(size: Int) {
        self.size = size
    }

    /// Records one delivered frame (called on the subscriber's event loop).
    @inline(__always)
    func record(_ frame: MessageFrame) {
        if frame.payload.count != size { wrongSize.add(1, ordering: .relaxed) }
        count.add(1, ordering: .relaxed)
    }

    var received: Int { count.load(ordering: .relaxed) }
}
