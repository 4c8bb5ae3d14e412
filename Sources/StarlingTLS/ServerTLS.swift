import NATSConfig
import NIOCore
import NIOSSL

/// The accepting side of one listener's TLS, built from its `tls {}` block: an immutable NIOSSL
/// context plus the per-connection rules (pinning, handshake timeout). Build a new one to reload.
///
/// Verification follows nats-server: a client certificate is requested and verified against
/// `ca_file` (or the system roots) when `verify`/`verify_and_map`/
/// `verify_cert_and_check_known_urls` is set, and always for routes and gateways.
public struct ServerTLS: Sendable {
    /// The link kind this listener serves.
    public let kind: TLSLinkKind
    /// The decoded block.
    public let settings: TLSSettings
    /// The NIOSSL context every accepted connection uses.
    public let context: NIOSSLContext
    /// `pinned_certs`, if any.
    public let pinnedCertificates: PinnedCertificates?
    /// Whether a client certificate is required and verified.
    public let requiresClientCertificate: Bool
    /// Things that are accepted but probably not what was meant, for the log.
    public let warnings: [String]

    /// Loads the files named in `settings` and builds the context.
    /// - Throws: ``NATSConfig/ConfigError`` at the key that names a missing or unparsable file,
    ///   a key not matching its certificate, a block without any certificate, or a key not
    ///   allowed for `kind` (see ``TLSSettings/validate(for:)``).
    public init(settings: TLSSettings, kind: TLSLinkKind) throws {
        try settings.validate(for: kind)
        guard !settings.certificates.isEmpty else {
            throw ConfigError("TLS on this listener needs 'cert_file' and 'key_file' (or 'certs')",
                              at: settings.position)
        }
        let pairs = try settings.certificates.map(TLSFiles.load)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: TLSConfigurationBuilder.chain(pairs[0]), privateKey: .privateKey(pairs[0].key))
        TLSConfigurationBuilder.apply(settings, to: &configuration)

        let verify = settings.verify || kind.alwaysVerifiesPeer
        configuration.certificateVerification = verify ? .noHostnameVerification : .none
        if let caFile = settings.caFile {
            let roots = try TLSFiles.loadCertificateAuthorities(caFile, at: settings.position(of: "ca_file"))
            configuration.trustRoots = .certificates(roots)
            configuration.sendCANameList = verify
        } else {
            configuration.trustRoots = .default
        }
        if pairs.count > 1 {
            configuration.sslContextCallback = Self.selectBySNI(pairs)
        }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConfigError("cannot build the TLS context: \(error)", at: settings.position)
        }

        var warnings: [String] = []
        if settings.pinnedCertificates != nil && !verify {
            warnings.append("pinned_certs without verify: no client certificate is requested, so every "
                + "connection fails the pin check (as in nats-server)")
        }
        if settings.insecure {
            warnings.append("insecure has no effect when accepting connections")
        }
        self.kind = kind
        self.settings = settings
        self.pinnedCertificates = settings.pinnedCertificates.map(PinnedCertificates.init)
        self.requiresClientCertificate = verify
        self.warnings = warnings
    }

    /// The handshake timeout (`timeout`, default 2 seconds).
    public var handshakeTimeout: TimeAmount {
        .nanoseconds(Int64(settings.timeout.components.seconds) * 1_000_000_000
            + settings.timeout.components.attoseconds / 1_000_000_000)
    }

    /// The handlers for one accepted connection, in pipeline order: a ServerHello observer, the
    /// `NIOSSLServerHandler`, and the gate that enforces timeout and pinning and then fires
    /// ``TLSEstablished``. Create them on the channel's event loop.
    public func makeHandlers() -> [ChannelHandler] {
        let sniffer = ServerHelloSniffer(role: .server)
        return [
            sniffer,
            NIOSSLServerHandler(context: context),
            TLSHandshakeGate(sniffer: sniffer, pinned: pinnedCertificates, timeout: handshakeTimeout),
        ]
    }

    /// Puts ``makeHandlers()`` at the front of the pipeline (the network side), so everything
    /// read from now on is TLS. For INFO-first listeners call this right after writing INFO, in
    /// the same event-loop turn; for TLS-first (routes, gateways, `handshake_first`) before the
    /// first read. Must run on the channel's event loop.
    public func addHandlers(to pipeline: ChannelPipeline.SynchronousOperations) throws {
        try pipeline.addHandlers(makeHandlers(), position: .first)
    }

    /// Go picks the first certificate whose names match the SNI host name, else the first.
    private static func selectBySNI(_ pairs: [LoadedCertificatePair]) -> NIOSSLContextCallback {
        { values, promise in
            guard let host = values.serverHostname,
                  let pair = pairs.first(where: { pair in
                      pair.dnsNames.contains { PeerIdentity.dnsName($0, matchesHost: host) }
                  }) else {
                promise.succeed(.noChanges)
                return
            }
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = TLSConfigurationBuilder.chain(pair)
            override.privateKey = .privateKey(pair.key)
            promise.succeed(override)
        }
    }
}
