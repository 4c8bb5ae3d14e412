import Foundation
import Glibc

/// The pid file (`pid_file`, `-P`/`--pid`): the process id in decimal, no newline, as
/// nats-server writes it. Written at start-up (and again when a reload changes the path);
/// removed at shutdown if it still names this process.
public struct PidFile: Sendable, Equatable {
    /// The file's path.
    public let path: String

    /// A pid file at `path`.
    public init(path: String) {
        self.path = path
    }

    /// Writes `pid` (mode 0640, replacing any previous content).
    public func write(pid: pid_t = getpid()) throws {
        try ProcessFileIO.replace(path, with: String(pid), mode: 0o640, what: "pidfile")
    }

    /// Removes the file if it still holds `pid` (another instance may have taken it over);
    /// returns whether it was removed.
    @discardableResult
    public func remove(pid: pid_t = getpid()) -> Bool {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) == pid else { return false }
        return unlink(path) == 0
    }
}

/// The ports file (`ports_file_dir`, `--ports_file_dir`): `<dir>/<executable>_<pid>.ports`
/// holding the URLs of the listeners as nats-server's `Ports` JSON, for tools that start a
/// server on random ports. Written once the listeners are bound, removed at shutdown.
public struct PortsFile: Sendable, Equatable {
    /// The listeners' URLs; nil or empty lists are left out, as nats-server does.
    public struct Ports: Sendable, Equatable {
        /// Client listener: `nats://` (or `tls://` when TLS is required).
        public var nats: [String]?
        /// Monitoring: `http://` or `https://`.
        public var monitoring: [String]?
        /// Cluster (routes): `nats://` or `tls://`.
        public var cluster: [String]?
        /// Profiling: `http://`.
        public var profile: [String]?
        /// WebSocket: `ws://` or `wss://`.
        public var websocket: [String]?

        /// Ports with the given URLs.
        public init(nats: [String]? = nil, monitoring: [String]? = nil, cluster: [String]? = nil,
                    profile: [String]? = nil, websocket: [String]? = nil) {
            self.nats = nats
            self.monitoring = monitoring
            self.cluster = cluster
            self.profile = profile
            self.websocket = websocket
        }

        /// Compact JSON in nats-server's field order: nats, monitoring, cluster, profile, websocket.
        public var json: String {
            let fields: [(String, [String]?)] = [
                ("nats", nats), ("monitoring", monitoring), ("cluster", cluster),
                ("profile", profile), ("websocket", websocket),
            ]
            let members = fields.compactMap { name, urls -> String? in
                guard let urls, !urls.isEmpty else { return nil }
                return "\"\(name)\":[" + urls.map(ProcessFileIO.jsonString).joined(separator: ",") + "]"
            }
            return "{" + members.joined(separator: ",") + "}"
        }
    }

    /// The file's path.
    public let path: String

    /// The ports file for `pid` in `directory`, named after the executable as nats-server
    /// names it (`starling_1234.ports`).
    public init(directory: String, executable: String = CommandLine.arguments.first ?? "starling",
                pid: pid_t = getpid()) {
        let name = URL(fileURLWithPath: executable).lastPathComponent
        path = URL(fileURLWithPath: directory).appendingPathComponent("\(name)_\(pid).ports").path
    }

    /// Writes the ports (mode 0666 before umask, as nats-server).
    public func write(_ ports: Ports) throws {
        try ProcessFileIO.replace(path, with: ports.json, mode: 0o666, what: "ports file")
    }

    /// Removes the file; a file already gone is not an error.
    public func remove() throws {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw OperationError.system("Error cleaning up ports file \(path)")
        }
    }

    /// The URLs for a listener bound to `host:port`, as nats-server lists them: for an
    /// unspecified address (`0.0.0.0`, `::`, empty) one per address of every interface,
    /// otherwise the one address; IPv6 hosts in brackets.
    public static func urls(scheme: String, host: String, port: Int) -> [String] {
        let unspecified = host.isEmpty || host == "0.0.0.0" || host == "::" || host == "[::]"
        let hosts = unspecified ? interfaceAddresses() : [host]
        return hosts.map { "\(scheme)://\($0.contains(":") && !$0.hasPrefix("[") ? "[\($0)]" : $0):\(port)" }
    }

    /// Every IPv4 and IPv6 address of every interface, in the order the system lists them.
    static func interfaceAddresses() -> [String] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        var addresses: [String] = []
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            guard let address = entry.pointee.ifa_addr else { continue }
            let family = Int32(address.pointee.sa_family)
            guard family == AF_INET || family == AF_INET6 else { continue }
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            if family == AF_INET {
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    var raw = sin.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
                }
            } else {
                address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    var raw = sin6.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
                }
            }
            addresses.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return addresses
    }
}

/// File writing shared by the pid and ports files.
enum ProcessFileIO {
    /// Replaces the file's content through a temporary file and a rename, so that a reader
    /// never sees it half written.
    static func replace(_ path: String, with text: String, mode: mode_t, what: String) throws {
        let temporary = path + ".tmp\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw OperationError.system("Could not write \(what) \(path)") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let failure = written == bytes.count ? 0 : (written < 0 ? errno : EIO)
        close(fd)
        guard failure == 0, rename(temporary, path) == 0 else {
            let code = failure != 0 ? failure : errno
            unlink(temporary)
            throw OperationError.system("Could not write \(what) \(path)", errno: code)
        }
    }

    /// A JSON string literal, escaping as Go's encoding/json does (including `<`, `>`, `&`).
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out += String(format: "\\u%04x", scalar.value)
            case _ where scalar.value < 0x20:
                out += String(format: "\\u%04x", scalar.value)
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
