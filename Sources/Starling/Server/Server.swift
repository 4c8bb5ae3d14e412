import Foundation
import Logging
import NIOHTTP1
import NATSConfig
import StarlingTLS
import NIOCore
import NIOPosix
import Synchronization

/// A Starling server: listeners, accounts and the registry of live connections.
public final class Server: Sendable {
    private let currentOptions: Mutex<ServerOptions>
    /// Server-wide counters.
    public let stats = ServerStats()
    /// The server's id (nats-server style).
    public let serverID: String
    private let authState: Mutex<(registry: AccountRegistry, authenticator: Authenticator)>
    let log: Logger
    private let group: MultiThreadedEventLoopGroup
    /// Threads for work that must not block an event loop (bcrypt checks).
    let blockingPool = NIOThreadPool(numberOfThreads: 2)
    private let clients = Mutex<[UInt64: ClientConnection]>([:])
    private let lastClientID = Atomic<UInt64>(0)
    private let listener = Mutex<(any Channel)?>(nil)
    private let monitorListener = Mutex<(any Channel)?>(nil)
    private let secureMonitorListener = Mutex<(any Channel)?>(nil)
    private let tlsState: Mutex<ServerTLS?>
    private let shuttingDown = Atomic<Bool>(false)
    private let stopped = DispatchSemaphore(value: 0)
    private let infoPrefix = Mutex<String>("")
    private let closedConnections = Mutex(BoundedHistory<ConnectionInfo>(capacity: 10_000))
    private let clusterBox = Mutex<Cluster?>(nil)
    /// When the server started.
    public let startTime = Date()

    /// Creates a server; nothing listens until ``start()``.
    /// Creates a server; nothing listens until ``start()``. Throws a `ConfigError` when the
    /// accounts, users or imports are inconsistent.
    public init(options: ServerOptions, logger: Logger) throws {
        self.currentOptions = Mutex(options)
        try options.validate()
        let registry = try AccountRegistry(config: options.auth)
        self.tlsState = Mutex(try options.tls.map { try ServerTLS(settings: $0, kind: .client) })
        self.authState = Mutex((registry, Authenticator(config: options.auth, registry: registry,
                                                        tlsMap: options.tls?.verifyAndMap ?? false)))
        self.log = logger
        self.serverID = ServerIdentity.newServerID()
        let threads = options.eventLoops > 0 ? options.eventLoops : CPUAffinity.allowedCPUs()
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        blockingPool.start()
        if let clusterOptions = options.cluster {
            let cluster = try Cluster(server: self, options: clusterOptions, systemAccount: options.auth.systemAccount,
                                      group: group)
            clusterBox.withLock { $0 = cluster }
            for account in registry.all { account.setInterestListener(cluster) }
        }
    }

    /// The cluster this server is part of, if `cluster {}` is configured.
    var cluster: Cluster? { clusterBox.withLock { $0 } }

    /// Binds the client listener and returns its address.
    @discardableResult
    public func start() throws -> SocketAddress {
        log.info("Starting starling \(StarlingVersion.starling)")
        log.info("  Version:  \(StarlingVersion.starling) (nats-server protocol \(StarlingVersion.compatible))")
        log.info("  Name:     \(options.serverName ?? serverID)")
        log.info("  ID:       \(serverID)")
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 4)
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 512, initial: 8192, maximum: 64 * 1024))
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    let tls = clientTLS
                    if let tls, tls.settings.handshakeFirst != .off {
                        try channel.pipeline.syncOperations.addHandler(TLSFirstHandler(tls: tls, mode: tls.settings.handshakeFirst))
                    }
                    try channel.pipeline.syncOperations.addHandler(ClientHandler(server: self, tls: tls))
                }
            }
        let channel = try bootstrap.bind(host: options.host, port: options.port).wait()
        listener.withLock { $0 = channel }
        let address = channel.localAddress!
        let port = address.port ?? options.port
        infoPrefix.withLock { $0 = makeInfo(port: port).openJSON() }
        if let cluster {
            _ = try cluster.start()
            clientURLsChanged()
        }
        if let httpPort = options.httpPort { try startMonitor(port: httpPort, secure: false) }
        if let httpsPort = options.httpsPort { try startMonitor(port: httpsPort, secure: true) }
        log.info("Listening for client connections on \(Self.hostPort(options.host, port))")
        log.info("Server is ready")
        return address
    }

    private func startMonitor(port: Int, secure: Bool) throws {
        let monitor = Monitor(server: self)
        let host = options.httpHost ?? options.host
        var monitorTLS: ServerTLS?
        if secure {
            guard var settings = options.tls else { throw ConfigError("https_port requires a tls {} block", at: .init(file: "<options>", line: 0, column: 0)) }
            // nats-server serves HTTPS monitoring without asking for client certificates.
            settings.verify = false
            settings.verifyAndMap = false
            settings.pinnedCertificates = nil
            monitorTLS = try ServerTLS(settings: settings, kind: .monitor)
        }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [monitorTLS] channel in
                channel.eventLoop.makeCompletedFuture {
                    try monitorTLS?.addHandlers(to: channel.pipeline.syncOperations)
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(MonitorHTTPHandler(monitor: monitor))
                }
            }
        let channel = try bootstrap.bind(host: host, port: port).wait()
        log.info("Starting \(secure ? "https" : "http") monitor on \(Self.hostPort(host, channel.localAddress?.port ?? port))")
        if secure {
            secureMonitorListener.withLock { $0 = channel }
        } else {
            monitor.boundPort = channel.localAddress?.port ?? port
            monitorListener.withLock { $0 = channel }
        }
    }

    /// The TLS new client connections get (nil: plaintext listener).
    var clientTLS: ServerTLS? { tlsState.withLock { $0 } }

    /// The bound HTTPS monitoring port, if any.
    public var secureMonitorPort: Int? { secureMonitorListener.withLock { $0?.localAddress?.port } }

    /// Closes the client listener; existing connections stay.
    func stopAcceptingClients() {
        let channel = listener.withLock { $0 }
        try? channel?.close().wait()
    }

    /// The options in force (changed by ``reload(_:)``).
    public var options: ServerOptions { currentOptions.withLock { $0 } }

    /// Applies new options without dropping connections; listener addresses cannot change.
    /// Throws (and changes nothing) when a non-reloadable option differs.
    public func reload(_ new: ServerOptions) throws {
        let old = options
        try ReloadCheck.verify(old: old, new: new)
        try new.validate()
        let registry = try AccountRegistry(config: new.auth, previous: authState.withLock { $0.registry })
        let tls = try new.tls.map { try ServerTLS(settings: $0, kind: .client) }
        let authenticator = Authenticator(config: new.auth, registry: registry, tlsMap: new.tls?.verifyAndMap ?? false)
        if let cluster { for account in registry.all { account.setInterestListener(cluster) } }
        authState.withLock { $0 = (registry, authenticator) }
        tlsState.withLock { $0 = tls }
        currentOptions.withLock { $0 = new }
        if let port = clientPort { infoPrefix.withLock { $0 = makeInfo(port: port).openJSON() } }
        for connection in liveConnections {
            connection.eventLoop.execute { connection.handler.value?.apply(new, authenticator: authenticator, tls: tls) }
        }
        log.info("Reloaded server configuration")
    }

    /// The bound monitoring port, if monitoring is on.
    public var monitorPort: Int? { monitorListener.withLock { $0?.localAddress?.port } }

    /// Every account.
    var accounts: [Account] { authState.withLock { $0.registry.all } }

    /// The account of clients without one.
    public var globalAccount: Account { authState.withLock { $0.registry.global } }

    /// The account called `name`, if configured.
    func account(named name: String) -> Account? { authState.withLock { $0.registry.account(named: name) } }

    /// The system account, unreachable by ordinary clients.
    public var systemAccount: Account { authState.withLock { $0.registry.system } }

    /// Who may connect, and as what.
    var authenticator: Authenticator { authState.withLock { $0.authenticator } }

    /// Messages delivered: closed connections' totals plus live ones'.
    var outMsgs: Int {
        liveConnections.reduce(stats.outMsgs.load(ordering: .relaxed)) { $0 + $1.deliveredCounts.msgs }
    }

    /// Payload bytes delivered: closed connections' totals plus live ones'.
    var outBytes: Int {
        liveConnections.reduce(stats.outBytes.load(ordering: .relaxed)) { $0 + $1.deliveredCounts.bytes }
    }

    /// The bound client port.
    public var clientPort: Int? { listener.withLock { $0?.localAddress?.port } }

    /// Blocks until ``shutdown()`` has finished.
    public func waitUntilShutdown() {
        stopped.wait()
        stopped.signal()
    }

    /// Stops listening, closes every connection and the event loops. Runs once; later calls
    /// return at once. Must not be called on one of the server's event loops.
    public func shutdown() {
        guard !shuttingDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        log.info("Initiating Shutdown...")
        cluster?.shutdown()
        let channel = listener.withLock { $0 }
        try? channel?.close().wait()
        try? monitorListener.withLock { $0 }?.close().wait()
        try? secureMonitorListener.withLock { $0 }?.close().wait()
        for client in liveConnections {
            try? client.eventLoop.submit { client.handler.value?.closeForShutdown() }.wait()
        }
        try? group.syncShutdownGracefully()
        try? blockingPool.syncShutdownGracefully()
        log.info("Server Exiting..")
        stopped.signal()
    }

    /// Number of live client connections.
    public var connectionCount: Int { clients.withLock { $0.count } }

    // MARK: Connections

    func nextClientID() -> UInt64 {
        lastClientID.add(1, ordering: .relaxed).newValue
    }

    /// Adds a connection unless max_connections is reached.
    func register(_ connection: ClientConnection) -> Bool {
        let limit = options.maxConnections
        let ok = clients.withLock { map in
            if limit > 0 && map.count >= limit { return false }
            map[connection.id] = connection
            return true
        }
        if ok {
            stats.totalConnections.add(1, ordering: .relaxed)
            connection.account.stats.totalConnections.add(1, ordering: .relaxed)
        }
        return ok
    }

    /// Removes a closed connection and remembers it for `/connz?state=closed`.
    func unregister(_ connection: ClientConnection, closed record: ConnectionInfo) {
        let removed = clients.withLock { $0.removeValue(forKey: connection.id) }
        guard removed != nil else { return }
        stats.outMsgs.add(record.outMsgs, ordering: .relaxed)
        stats.outBytes.add(record.outBytes, ordering: .relaxed)
        connection.account.stats.closedOutMsgs.add(record.outMsgs, ordering: .relaxed)
        connection.account.stats.closedOutBytes.add(record.outBytes, ordering: .relaxed)
        closedConnections.withLock { $0.append(record) }
    }

    /// Live connections (for monitoring).
    var liveConnections: [ClientConnection] { clients.withLock { Array($0.values) } }

    /// Recently closed connections, oldest first.
    var recentlyClosed: [ConnectionInfo] { closedConnections.withLock { $0.elements } }

    func infoJSON(clientID: UInt64, clientIP: String, nonce: String? = nil, authRequired: Bool = false,
                  lameDuck: Bool = false) -> String {
        var line = "INFO " + infoPrefix.withLock { $0 }
        line += ",\"client_id\":\(clientID),\"client_ip\":\"\(clientIP)\""
        if authRequired { line += ",\"auth_required\":true" }
        if let nonce { line += ",\"nonce\":\"\(nonce)\"" }
        if lameDuck { line += ",\"ldm\":true" }
        return line + "} \r\n"
    }

    private func makeInfo(port: Int) -> ServerInfo {
        var info = ServerInfo(serverID: serverID, serverName: options.serverName ?? serverID,
                   version: StarlingVersion.compatible, go: "starling\(StarlingVersion.starling)",
                   host: options.host, port: port, headers: options.headers, maxPayload: options.maxPayload,
                   tlsRequired: options.tls != nil ? true : nil,
                   tlsVerify: (options.tls?.verify ?? false) || (options.tls?.verifyAndMap ?? false) ? true : nil)
        if let cluster, !cluster.options.noAdvertise {
            var urls = ownClientURLs
            for url in cluster.peerClientURLs where !urls.contains(url) { urls.append(url) }
            info.connectURLs = urls
        }
        return info
    }

    /// This server's client URLs as peers and clients are told them: `client_advertise`, or the
    /// listener's address (every non-loopback address when it listens on all of them).
    var ownClientURLs: [String] {
        let options = self.options
        if let advertise = options.clientAdvertise {
            return [advertise.contains(":") ? advertise : Self.hostPort(advertise, options.port)]
        }
        let port = clientPort ?? options.port
        guard options.host == "0.0.0.0" || options.host == "::" else { return [Self.hostPort(options.host, port)] }
        let addresses = ((try? System.enumerateDevices()) ?? []).compactMap { device -> String? in
            guard let ip = device.address?.ipAddress, ip != "127.0.0.1", ip != "::1", !ip.hasPrefix("fe80") else { return nil }
            return Self.hostPort(ip, port)
        }
        return addresses.isEmpty ? [Self.hostPort(options.host, port)] : Array(Set(addresses)).sorted()
    }

    /// The cluster's client URLs changed: rebuild the client INFO and send it to clients that
    /// take asynchronous INFO (nats-server addConnectURLsAndSendINFOToClients).
    func clientURLsChanged() {
        guard let port = clientPort else { return }
        infoPrefix.withLock { $0 = makeInfo(port: port).openJSON() }
        for connection in liveConnections {
            connection.eventLoop.execute { connection.handler.value?.sendAsyncInfo() }
        }
    }

    // MARK: Interest

    /// Removes a client subscription everywhere (UNSUB, auto-unsubscribe), with its shadows.
    func removeSubscription(_ sub: Subscription) {
        guard let connection = sub.connection else { return }
        let key = sub.sidString
        let shadows = connection.subscriptions.withLock { subs in
            if subs[key] === sub { subs[key] = nil }
            let shadows = sub.shadows
            sub.shadows = []
            return shadows
        }
        connection.account.remove(sub)
        Subscription.removeShadows(shadows)
    }


    /// Closes a connection that passed max_pending; called from any event loop.
    func closeSlowConsumer(_ connection: LinkConnection) {
        connection.eventLoop.execute {
            connection.channel.close(promise: nil)
        }
    }

    static func hostPort(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
