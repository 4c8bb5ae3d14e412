import NIOCore
import Synchronization

/// Request/reply over one wildcard inbox subscription, `_INBOX.<random>.*`: each request gets
/// the next token as the last reply token, and its reply completes the waiting promise.
final class RequestMux: Sendable {
    private struct State {
        var nextToken: UInt64 = 1
        var waiters: [UInt64: EventLoopPromise<NATSMessage>] = [:]
        var subscribed: EventLoopFuture<Void>?
    }

    /// `_INBOX.<22 random characters>.`
    let prefix: String
    private let state = Mutex(State())

    init() {
        prefix = "_INBOX." + Self.randomToken(length: 22) + "."
    }

    /// Returns the future of the inbox subscription, creating it with `subscribe` on first use.
    func inboxReady(_ subscribe: () -> EventLoopFuture<Void>) -> EventLoopFuture<Void> {
        state.withLock { s in
            if let existing = s.subscribed { return existing }
            let future = subscribe()
            s.subscribed = future
            return future
        }
    }

    /// Registers a waiter and returns its reply subject and token.
    func register(_ promise: EventLoopPromise<NATSMessage>) -> (String, UInt64) {
        let token = state.withLock { s in
            let t = s.nextToken
            s.nextToken += 1
            s.waiters[t] = promise
            return t
        }
        return (prefix + String(token), token)
    }

    /// Removes and returns the waiter for `token`.
    func take(_ token: UInt64) -> EventLoopPromise<NATSMessage>? {
        state.withLock { $0.waiters.removeValue(forKey: token) }
    }

    /// Fails every waiter (the connection closed).
    func failAll(_ error: NATSError) {
        let all = state.withLock { s in
            let all = Array(s.waiters.values)
            s.waiters.removeAll()
            return all
        }
        for p in all { p.fail(error) }
    }

    /// A random alphanumeric token.
    static func randomToken(length: Int) -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
        var rng = SystemRandomNumberGenerator()
        return String(decoding: (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }, as: UTF8.self)
    }
}
