import Foundation
import NIOCore
import NIOPosix

/// Words for why a TCP connection could not be made.
enum ConnectFailure {
    /// "connection refused", "timed out", "cannot resolve host name x", …
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return describe(first.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "cannot resolve host name \(error.host)" }
            return "\(error)"
        case let error as IOError:
            let text = String(cString: strerror(error.errnoCode))
            return text.prefix(1).lowercased() + text.dropFirst()
        case let error as ChannelError:
            if case .connectTimeout = error { return "timed out" }
            return "\(error)"
        default:
            return "\(error)"
        }
    }
}
