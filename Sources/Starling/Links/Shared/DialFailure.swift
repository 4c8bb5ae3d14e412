import Foundation
import NIOCore
import NIOPosix

/// A failed outbound connect worded as Go's net package words it, which nats-server logs
/// verbatim: `dial tcp 127.0.0.1:6222: connect: connection refused`, `dial tcp …: i/o timeout`.
enum DialFailure {
    /// The text for `error` from connecting to `address` (`host:port`).
    static func text(_ error: any Error, address: String) -> String {
        "dial tcp \(address): \(reason(error))"
    }

    private static func reason(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return reason(first.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "lookup \(error.host): no such host" }
            return "connect: no address"
        case let error as IOError:
            return "connect: " + systemText(error.errnoCode)
        case ChannelError.connectTimeout:
            return "i/o timeout"
        default:
            return "\(error)"
        }
    }

    /// strerror's text with a lower-case first letter, as Go's syscall errors read.
    private static func systemText(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
