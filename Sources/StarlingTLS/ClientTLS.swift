import NATSConfig
import NIOCore
import NIOSSL

/// The soliciting side of TLS for routes, gateways and leaf-node remotes: our certificate (if
/// any) as client certificate, `ca_file` (or the system roots) as trust roots, host name
/// verification unless `insecure`, and pinning of the server's leaf certificate.
public struct ClientTLS: Sendable {
    /// The link kind.
    public let kind: TLSLinkKind
    /// The decoded block.
    public let settings: TLSSettings
    /// The NIOSSL context every solicited connection uses.
    public let context: NIOSSLContext
    /// The pins checked against the server's leaf certificate.
    public let pinnedCertificates: PinnedCertificates?

    /// Loads the files named in `settings` and builds the context; the server's certificate is
    /// checked against the block's own `pinned_certs`.
    /// - Parameters:
    ///   - settings: the block.
    ///   - kind: the link kind (`.cluster`, `.gateway`, `.leafnodeRemote`).
    /// - Throws: ``NATSConfig/ConfigError`` at the key that names a bad file.
    public init(settings: TLSSettings, kind: TLSLinkKind) throws {
        try self.init(settings: settings, kind: kind,
                      pinnedCertificates: settings.pinnedCertificates.map(PinnedCertificates.init))
    }

    /// Loads the files named in `settings` and builds the context, with the pins given here.
    /// nats-server checks a solicited route against `cluster.tls.pinned_certs`, a gateway
    /// against `gateway.tls.pinned_certs` and a leaf remote against `leafnodes.tls.pinned_certs`
    /// (the listener's block, not the remote's), so pass those.
    /// - Parameters:
    ///   - settings: the block.
    ///   - kind: the link kind (`.cluster`, `.gateway`, `.leafnodeRemote`).
    ///   - pinnedCertificates: the pins to check, or `nil` for none.
    /// - Throws: ``NATSConfig/ConfigError`` at the key that names a bad file.
    public init(settings: TLSSettings, kind: TLSLinkKind, pinnedCertificates: PinnedCertificates?) throws {
        try settings.validate(for: kind)
        var configuration = TLSConfiguration.makeClientConfiguration()
        TLSConfigurationBuilder.apply(settings, to: &configuration)
        if let first = settings.certificates.first {
            let pair = try TLSFiles.load(first)
            configuration.certificateChain = TLSConfigurationBuilder.chain(pair)
            configuration.privateKey = .privateKey(pair.key)
        }
        if let caFile = settings.caFile {
            let roots = try TLSFiles.loadCertificateAuthorities(caFile, at: settings.position(of: "ca_file"))
            configuration.trustRoots = .certificates(roots)
        } else {
            configuration.trustRoots = .default
        }
        configuration.certificateVerification = settings.insecure ? .none : .fullVerification
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConfigError("cannot build the TLS context: \(error)", at: settings.position)
        }
        self.kind = kind
        self.settings = settings
        self.pinnedCertificates = pinnedCertificates
    }

    /// The handshake timeout (`timeout`, default 2 seconds).
    public var handshakeTimeout: TimeAmount {
        .nanoseconds(Int64(settings.timeout.components.seconds) * 1_000_000_000
            + settings.timeout.components.attoseconds / 1_000_000_000)
    }

    /// The handlers for one solicited connection, in pipeline order: a ServerHello observer, the
    /// `NIOSSLClientHandler` and the gate (timeout, pinning, ``TLSEstablished``).
    /// - Parameter serverHostname: the URL's host: sent as SNI and verified against the
    ///   certificate's names. An IP address is not sent as SNI; the certificate must then have
    ///   that IP address (NIOSSL checks the connected address). Pass a host name saved from an
    ///   earlier URL, as nats-server does, when the URL is an IP.
    /// - Throws: when the host name is not a valid SNI name.
    public func makeHandlers(serverHostname: String?) throws -> [ChannelHandler] {
        let sniffer = ServerHelloSniffer(role: .client)
        let sni = serverHostname.flatMap { Self.isIPAddress($0) ? nil : $0 }
        return [
            sniffer,
            try NIOSSLClientHandler(context: context, serverHostname: sni),
            TLSHandshakeGate(sniffer: sniffer, pinned: pinnedCertificates, timeout: handshakeTimeout),
        ]
    }

    /// Puts ``makeHandlers(serverHostname:)`` at the front of the pipeline. Must run on the
    /// channel's event loop; call it before the connection is active or right after, before any
    /// plaintext is written (leaf remotes: right after reading the hub's INFO).
    public func addHandlers(to pipeline: ChannelPipeline.SynchronousOperations, serverHostname: String?) throws {
        try pipeline.addHandlers(makeHandlers(serverHostname: serverHostname), position: .first)
    }

    private static func isIPAddress(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return (try? SocketAddress(ipAddress: bare, port: 0)) != nil
    }
}
