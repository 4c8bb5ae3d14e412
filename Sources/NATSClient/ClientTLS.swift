import Foundation
import NIOCore
import NIOSSL

/// The client side of TLS: one context made from the options, and the handler that wraps a
/// connection in it.
///
/// Verification is full by default: the server's chain must lead to ``NATSClientOptions/tlsCAFile``
/// (or the system's roots) and its certificate must name the host connected to — a DNS SAN for
/// a host name (also sent as SNI), an IP SAN for an address (no SNI, which may not carry IPs).
struct ClientTLS: Sendable {
    let context: NIOSSLContext

    /// Loads the CA, certificate and key files the options name.
    init(options: NATSClientOptions) throws(NATSError) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if options.tlsInsecure {
            configuration.certificateVerification = .none
        }
        if let ca = options.tlsCAFile {
            let roots = try Self.load("CA file", ca) { try NIOSSLCertificate.fromPEMFile(ca) }
            guard !roots.isEmpty else { throw .tlsConfiguration("CA file \(ca) holds no certificate") }
            configuration.trustRoots = .certificates(roots)
        }
        switch (options.tlsCertFile, options.tlsKeyFile) {
        case (let cert?, let key?):
            let chain = try Self.load("certificate file", cert) { try NIOSSLCertificate.fromPEMFile(cert) }
            guard !chain.isEmpty else { throw .tlsConfiguration("certificate file \(cert) holds no certificate") }
            configuration.certificateChain = chain.map { .certificate($0) }
            let privateKey = try Self.load("key file", key) { try NIOSSLPrivateKey(file: key, format: .pem) }
            configuration.privateKey = .privateKey(privateKey)
        case (nil, nil):
            break
        default:
            throw .tlsConfiguration("a client certificate needs both a certificate file and a key file")
        }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw .tlsConfiguration("\(error)")
        }
    }

    /// A handler for a connection to `host`, to put first in the pipeline.
    func handler(host: String) throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(context: context, serverHostname: Self.serverName(for: host))
    }

    /// The SNI and verification name for `host`: nil for an IP address.
    static func serverName(for host: String) -> String? {
        (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }

    private static func load<T>(_ what: String, _ path: String, _ body: () throws -> T) throws(NATSError) -> T {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .tlsConfiguration("cannot read \(what) \(path)")
        }
        do {
            return try body()
        } catch {
            throw .tlsConfiguration("invalid \(what) \(path): \(error)")
        }
    }

    /// The connection error for a failed handshake, or nil for other errors (an unclean
    /// shutdown after a server's `-ERR` must not hide that `-ERR`).
    static func failure(_ error: any Error) -> NATSError? {
        switch error {
        case let error as NIOSSLError:
            if case .handshakeFailed(let inner) = error { return .tlsHandshakeFailed(reason(inner)) }
            return nil
        case let error as NIOSSLExtraError:
            return .tlsHandshakeFailed("\(error)")
        case let error as BoringSSLError:
            return .tlsHandshakeFailed(reason(error))
        default:
            return nil
        }
    }

    /// BoringSSL's reason codes (`…:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at file:line`) in
    /// words: "certificate verify failed".
    private static func reason(_ error: BoringSSLError) -> String {
        guard case .sslError(let stack) = error, !stack.isEmpty else { return "\(error)" }
        let reasons = stack.map { entry -> String in
            let text = "\(entry)"
            guard let marker = text.range(of: "OPENSSL_internal:") else { return text }
            let code = text[marker.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            return code.lowercased().replacingOccurrences(of: "_", with: " ")
        }
        return reasons.joined(separator: "; ")
    }
}
