/// Which options a reload may change. Listener addresses need a restart, as in nats-server
/// (server/reload.go: "config reload not supported for ...").
enum ReloadCheck {
    /// A reload that would change something only a restart can.
    struct Refused: Error, CustomStringConvertible {
        let option: String
        let old: String
        let new: String
        var description: String { "config reload not supported for \(option): old=\(old), new=\(new)" }
    }

    static func verify(old: ServerOptions, new: ServerOptions) throws {
        func same<T: Equatable>(_ name: String, _ path: KeyPath<ServerOptions, T>) throws {
            guard old[keyPath: path] == new[keyPath: path] else {
                throw Refused(option: name, old: "\(old[keyPath: path])", new: "\(new[keyPath: path])")
            }
        }
        try same("host", \.host)
        try same("port", \.port)
        try same("http_port", \.httpPort)
        try same("http_host", \.httpHost)
        try same("http_base_path", \.httpBasePath)
        try same("https_port", \.httpsPort)

        try same("server_name", \.serverName)
        try same("client_advertise", \.clientAdvertise)
        guard ClusterOptions.same(old.cluster, new.cluster) else {
            // Summaries only: the block holds credentials.
            func summary(_ c: ClusterOptions?) -> String {
                guard let c else { return "none" }
                return "\(c.name ?? "(dynamic)")@\(c.host):\(c.port) routes=\(c.routes)"
            }
            throw Refused(option: "cluster", old: summary(old.cluster), new: summary(new.cluster))
        }
    }
}
