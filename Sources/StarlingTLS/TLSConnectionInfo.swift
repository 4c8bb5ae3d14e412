import NIOSSL

/// What a finished handshake negotiated, in nats-server's spelling for `/connz`
/// (`tls_version`, `tls_cipher_suite`, `tls_peer_certs`), plus the peer's identity.
public struct TLSConnectionInfo: Sendable, Equatable {
    /// `"1.2"` or `"1.3"` (nats-server's `tlsVersion`).
    public let version: String
    /// The negotiated suite's code point, when it was seen in the ServerHello.
    public let cipherSuiteID: UInt16?
    /// The peer's leaf certificate, if it sent one.
    public let peer: PeerIdentity?

    /// Creates the record.
    public init(version: String, cipherSuiteID: UInt16?, peer: PeerIdentity?) {
        self.version = version
        self.cipherSuiteID = cipherSuiteID
        self.peer = peer
    }

    /// Go's name of the suite (`TLS_AES_128_GCM_SHA256`, `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`, ...)
    /// or `Unknown [xxxx]` as nats-server's `tlsCipher` prints it; empty when not seen.
    public var cipherSuite: String {
        cipherSuiteID.map(GoCipherSuite.goName(forID:)) ?? ""
    }

    /// nats-server's spelling of a NIOSSL version.
    public static func versionName(_ version: TLSVersion?) -> String {
        switch version {
        case .tlsv1: return "1.0"
        case .tlsv11: return "1.1"
        case .tlsv12: return "1.2"
        case .tlsv13: return "1.3"
        case nil: return ""
        }
    }
}

/// The inbound user event ``TLSHandshakeGate`` fires once the handshake has completed and the
/// peer passed pinning; the link handler keeps ``info`` for authentication and `/connz`.
public struct TLSEstablished: Sendable {
    /// The negotiated parameters and the peer identity.
    public let info: TLSConnectionInfo
}

/// Why StarlingTLS closed a connection (NIOSSL's own handshake errors are passed on as they are).
public enum TLSLinkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The handshake did not finish within the block's `timeout` (nats-server: "TLS handshake timeout").
    case handshakeTimeout
    /// `pinned_certs` is set and the peer's leaf is not in it (nats-server: "certificate not
    /// pinned"); `spkiSHA256` is nil when the peer sent no certificate.
    case certificateNotPinned(spkiSHA256: String?)

    /// nats-server's wording.
    public var description: String {
        switch self {
        case .handshakeTimeout: return "TLS handshake timeout"
        case .certificateNotPinned(let spki?): return "certificate not pinned (spki_sha256 \(spki))"
        case .certificateNotPinned(nil): return "certificate not pinned (no peer certificate)"
        }
    }
}
