import NATSClient
import NIOCore

/// One publishing connection: writes a pre-encoded run of identical PUB frames in big chunks
/// (slices of one buffer, so nothing is encoded or copied per message) under the rules of
/// ``BenchFlowControl``. One async hop per chunk, none per message.
struct BenchPublisher {
    let connection: NATSConnection
    let frames: ByteBuffer
    let frameBytes: Int
    let messages: Int
    let options: BenchOptions
    let flow: BenchFlowControl

    /// What one publisher did.
    struct Result: Sendable {
        var sent = 0
        var start: UInt64 = 0
        var end: UInt64 = 0
        var timedOut = false
    }

    /// About `chunkBytes` of identical PUB frames for `subject` with a payload of `size` bytes
    /// (at least one frame), and the size of one frame.
    static func encodeFrames(subject: String, size: Int, chunkBytes: Int) -> (ByteBuffer, Int) {
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        var one = ByteBuffer()
        payload.withUnsafeBytes { one.writePublish(subject: subject, reply: nil, headers: nil, payload: $0) }
        let count = max(1, chunkBytes / one.readableBytes)
        var all = ByteBuffer()
        all.reserveCapacity(one.readableBytes * count)
        for _ in 0..<count { all.writeImmutableBuffer(one) }
        return (all, one.readableBytes)
    }

    func run(deadline: UInt64?) async throws -> Result {
        var result = Result()
        let perChunk = frames.readableBytes / frameBytes
        var writes = CircularBuffer<EventLoopFuture<Void>>()
        var pings = CircularBuffer<EventLoopFuture<Void>>()
        var bytesSincePing = 0
        result.start = BenchClock.now()
        while result.sent < messages {
            if let deadline, BenchClock.now() >= deadline {
                result.timedOut = true
                break
            }
            guard try await flow.waitForRoom(deadline: deadline, stall: options.stallTimeout) else {
                result.timedOut = true
                break
            }
            let n = min(perChunk, messages - result.sent)
            writes.append(connection.sendEncoded(frames.getSlice(at: frames.readerIndex, length: n * frameBytes)!))
            if writes.count >= options.writesInFlight { try await writes.removeFirst().get() }
            result.sent += n
            flow.published.add(n, ordering: .relaxed)
            bytesSincePing += n * frameBytes
            if bytesSincePing >= options.pingEveryBytes {
                bytesSincePing = 0
                pings.append(connection.flushFuture(timeout: .seconds(60)))
                if pings.count > options.pingsInFlight { try await pings.removeFirst().get() }
            }
        }
        for write in writes { try await write.get() }
        for ping in pings { try await ping.get() }
        try await connection.flush(timeout: .seconds(60))
        result.end = BenchClock.now()
        return result
    }
}
