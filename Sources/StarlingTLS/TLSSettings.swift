import NATSConfig

/// One `tls {}` block, decoded and checked but with no file loaded yet (see ``ServerTLS`` and
/// ``ClientTLS``, which load the files and build NIOSSL contexts). Positions of keys are kept so
/// that later errors (missing files, key not matching its certificate) name the right line.
public struct TLSSettings: Sendable, Equatable {
    /// A certificate and its key, from `cert_file`/`key_file` or one entry of `certs`.
    public struct CertificatePair: Sendable, Equatable {
        /// PEM file: the leaf certificate, optionally followed by intermediates.
        public var certFile: String
        /// PEM private key file (RSA, ECDSA P-256/P-384/P-521 or Ed25519; PKCS#8 or traditional).
        public var keyFile: String
        /// Where `cert_file` is written.
        public var certPosition: SourcePosition
        /// Where `key_file` is written.
        public var keyPosition: SourcePosition

        /// Creates a pair.
        public init(certFile: String, keyFile: String, certPosition: SourcePosition, keyPosition: SourcePosition) {
            self.certFile = certFile
            self.keyFile = keyFile
            self.certPosition = certPosition
            self.keyPosition = keyPosition
        }
    }

    /// `handshake_first` (also spelled `first` or `immediate`).
    public enum HandshakeFirst: Sendable, Equatable {
        /// INFO in plaintext first, then TLS (the default).
        case off
        /// TLS handshake before anything else; clients that wait for INFO fail.
        case on
        /// Wait this long for the client to start TLS; if it sends nothing, fall back to
        /// INFO-first (`"auto"` = 50ms, or a duration string).
        case auto(fallback: Duration)
    }

    /// The lowest TLS version accepted (`min_version`).
    public enum MinimumVersion: String, Sendable, Equatable {
        /// TLS 1.2 (the default).
        case tls12 = "1.2"
        /// TLS 1.3.
        case tls13 = "1.3"
    }

    /// Where the block's value (`{`) is.
    public var position: SourcePosition
    /// The certificate/key pairs: one from `cert_file`/`key_file`, or those of `certs`.
    public var certificates: [CertificatePair] = []
    /// `ca_file`.
    public var caFile: String?
    /// `verify` (also set by `verify_and_map: true` and `verify_cert_and_check_known_urls: true`).
    public var verify = false
    /// `verify_and_map`.
    public var verifyAndMap = false
    /// `verify_cert_and_check_known_urls`.
    public var verifyCertAndCheckKnownURLs = false
    /// `insecure`: skip chain and host name verification when soliciting.
    public var insecure = false
    /// `cipher_suites` (TLS 1.2 and below); `nil` means nats-server's default list.
    public var cipherSuites: [GoCipherSuite]?
    /// `allow_insecure_cipher_suites`.
    public var allowInsecureCipherSuites = false
    /// `curve_preferences`; `nil` means nats-server's default list.
    public var curvePreferences: [TLSCurve]?
    /// `min_version`.
    public var minimumVersion: MinimumVersion = .tls12
    /// `timeout`: the handshake timeout (default 2 seconds; `0` means the default).
    public var timeout: Duration = .seconds(2)
    /// `handshake_first`.
    public var handshakeFirst: HandshakeFirst = .off
    /// `pinned_certs`, lowercased; `nil` when absent or empty (no pinning).
    public var pinnedCertificates: Set<String>?
    /// `connection_rate_limit` (TLS handshakes per second; client listener only), when set.
    public var connectionRateLimit: Int?

    /// Where each key of the block is written, by lowercased key, for later errors.
    var keyPositions: [String: SourcePosition] = [:]

    /// Creates settings with defaults for a block at `position` (for tests and code-built configs).
    public init(position: SourcePosition) {
        self.position = position
    }

    /// Where `key` (lowercased) is written, or the block's position.
    func position(of key: String) -> SourcePosition {
        keyPositions[key] ?? position
    }
}
