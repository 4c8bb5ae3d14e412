/// The monitoring index page: links to every endpoint.
enum MonitorIndex {
    static let endpoints: [(path: String, title: String)] = [
        ("varz", "General"), ("connz", "Connections"), ("accountz", "Accounts"), ("accstatz", "Account Stats"),
        ("subsz", "Subscriptions"), ("routez", "Routes"), ("leafz", "LeafNodes"), ("gatewayz", "Gateways"),
        ("healthz", "Health"), ("metrics", "Prometheus metrics"),
    ]

    static func page(basePath: String) -> String {
        let prefix = basePath.hasSuffix("/") || basePath.isEmpty ? basePath : basePath + "/"
        let links = endpoints.map { "  <a href=\"\(prefix.isEmpty ? "./" : prefix)\($0.path)\">\($0.title)</a><br/>" }
        return """
        <html lang="en">
        <head><title>Starling monitoring</title></head>
        <body>
          <h2>Starling \(StarlingVersion.starling)</h2>
        \(links.joined(separator: "\n"))
        </body>
        </html>

        """
    }
}
