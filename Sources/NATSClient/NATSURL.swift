import Foundation

/// A parsed `nats://` or `tls://` server URL.
struct NATSURL: Equatable {
    var host: String
    var port: Int
    var user: String?
    var password: String?
    /// The scheme was `tls`: the client demands TLS.
    var tls = false

    init(_ text: String) throws(NATSError) {
        var rest = Substring(text.trimmingSpaces)
        if let scheme = rest.range(of: "://") {
            let name = rest[..<scheme.lowerBound].lowercased()
            guard name == "nats" || name == "tls" else { throw .invalidURL(text) }
            tls = name == "tls"
            rest = rest[scheme.upperBound...]
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                user = String(credentials[..<colon]).percentDecoded
                password = String(credentials[credentials.index(after: colon)...]).percentDecoded
            } else {
                user = String(credentials).percentDecoded
            }
        }
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .invalidURL(text) }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { throw .invalidURL(text) }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            portText = rest[rest.index(after: colon)...]
        } else {
            host = String(rest)
        }
        if host.isEmpty { host = "127.0.0.1" }
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else { throw .invalidURL(text) }
            port = value
        } else {
            port = 4222
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }

    /// Decodes `%XX` escapes (URL user info).
    fileprivate var percentDecoded: String {
        guard contains("%") else { return self }
        var out: [UInt8] = []
        var bytes = utf8[...]
        while let b = bytes.first {
            bytes = bytes.dropFirst()
            if b == UInt8(ascii: "%"), bytes.count >= 2,
               let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
