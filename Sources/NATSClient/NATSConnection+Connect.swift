import NIOCore
import NIOPosix

extension NATSConnection {
    /// Connects to the server at `url` (`nats://` or `tls://`, `[user[:password]@]host[:port]`).
    public static func connect(url: String) async throws -> NATSConnection {
        try await connect(NATSClientOptions(url: url))
    }

    /// Connects, waits for the server's INFO, secures the connection when either side asks for
    /// TLS, sends CONNECT (with the credentials, signing the INFO's nonce) and completes one
    /// PING/PONG, so a server that rejects the connection makes this throw.
    ///
    /// Errors: ``NATSError/cannotConnect(server:reason:)`` when no TCP connection could be made;
    /// ``NATSError/authorizationViolation(_:)`` when the server refuses the credentials;
    /// ``NATSError/invalidCredentials(_:)``, ``NATSError/tlsConfiguration(_:)`` for unusable
    /// options (before any network traffic); ``NATSError/tlsNotAvailable`` and
    /// ``NATSError/tlsHandshakeFailed(_:)`` for TLS; ``NATSError/timeout`` after
    /// ``NATSClientOptions/connectTimeout``.
    ///
    /// TLS follows nats.go: the INFO is read in plaintext; if the server requires TLS, or the
    /// options demand it (``NATSClientOptions/demandsTLS``), the handshake follows and CONNECT
    /// says `tls_required: true`. A server that requires TLS from a client that configured
    /// none gets a TLS connection verified against the system's roots. With
    /// ``NATSClientOptions/tlsHandshakeFirst`` the handshake comes before the INFO.
    public static func connect(_ options: NATSClientOptions) async throws -> NATSConnection {
        let credentials = try ClientCredentials.resolve(options)
        let tls = options.demandsTLS ? try ClientTLS(options: options) : nil
        let group = options.eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        let loop = group.next()
        let core = ConnectionCore(options: options, eventLoop: loop)
        let handler = try await loop.submit {
            NIOLoopBound(NATSChannelHandler(core: core), eventLoop: loop)
        }.get()
        let tlsFirst = options.tlsHandshakeFirst ? tls : nil
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(TimeAmount(options.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(
                minimum: 1024, initial: 16 * 1024, maximum: max(16 * 1024, options.maxReadSize)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsFirst {
                        try channel.pipeline.syncOperations.addHandler(tlsFirst.handler(host: options.host))
                    }
                    try channel.pipeline.syncOperations.addHandler(handler.value)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: options.host, port: options.port).get()
        } catch {
            core.connectionLost()
            throw NATSError.cannotConnect(server: options.serverAddress, reason: ConnectFailure.describe(error))
        }
        do {
            let timeout = loop.scheduleTask(in: TimeAmount(options.connectTimeout)) {
                core.firstInfo.fail(NATSError.timeout)
            }
            let info = try await core.firstInfo.futureResult.get()
            timeout.cancel()
            let secure = try await startTLS(on: channel, info: info, options: options, configured: tls)
            let connection = NATSConnection(core: core, handler: handler, channel: channel, info: info)
            let line = try ConnectPayload(options: options, tls: secure, credentials: credentials,
                                          nonce: info.nonce).line()
            try core.outbound.append { $0.writeString(line) }
            try await connection.flush(timeout: options.connectTimeout)
            return connection
        } catch {
            try? await channel.close().get()
            throw error
        }
    }

    /// Puts TLS in front of the protocol handler when either side asks for it, after the
    /// plaintext INFO; returns whether the connection uses TLS. The server sends nothing more
    /// until the client speaks, so no plaintext byte can follow the INFO.
    private static func startTLS(on channel: any Channel, info: NATSServerInfo, options: NATSClientOptions,
                                 configured: ClientTLS?) async throws -> Bool {
        if options.tlsHandshakeFirst { return true }
        if options.demandsTLS && !info.tlsRequired && !info.tlsAvailable { throw NATSError.tlsNotAvailable }
        guard options.demandsTLS || info.tlsRequired else { return false }
        let tls = try configured ?? ClientTLS(options: options)
        try await channel.eventLoop.submit {
            let handler: any ChannelHandler
            do {
                handler = try tls.handler(host: options.host)
            } catch {
                throw NATSError.tlsConfiguration("\(error)")
            }
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
        }.get()
        return true
    }
}
