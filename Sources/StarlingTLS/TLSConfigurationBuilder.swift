import NIOSSL

/// The parts of a NIOSSL `TLSConfiguration` that accepting and soliciting share.
enum TLSConfigurationBuilder {
    /// Cipher suites, curves, minimum version and signature algorithms from the settings.
    static func apply(_ settings: TLSSettings, to configuration: inout TLSConfiguration) {
        configuration.minimumTLSVersion = settings.minimumVersion == .tls13 ? .tlsv13 : .tlsv12
        let suites = (settings.cipherSuites ?? GoCipherSuite.defaults).filter { !$0.isTLS13 }
        if suites.isEmpty {
            // Only TLS 1.3 suites were listed: Go then has no TLS 1.2 suite left, which is TLS 1.3 only.
            configuration.minimumTLSVersion = .tlsv13
        } else {
            configuration.cipherSuites = suites.map(\.name).joined(separator: ":")
        }
        configuration.curves = (settings.curvePreferences ?? TLSCurve.defaults).map(\.nioCurve)
        // BoringSSL leaves Ed25519 out of the algorithms it accepts from a peer unless asked;
        // Go accepts Ed25519 certificates, so list it with BoringSSL's defaults.
        configuration.verifySignatureAlgorithms = [
            .ecdsaSecp256R1Sha256, .rsaPssRsaeSha256, .rsaPkcs1Sha256,
            .ecdsaSecp384R1Sha384, .rsaPssRsaeSha384, .rsaPkcs1Sha384,
            .rsaPssRsaeSha512, .rsaPkcs1Sha512, .ecdsaSecp521R1Sha512, .ed25519, .rsaPkcs1Sha1,
        ]
    }

    static func chain(_ pair: LoadedCertificatePair) -> [NIOSSLCertificateSource] {
        pair.chain.map { .certificate($0) }
    }
}
