import Foundation
import NATSConfig
import NIOSSL

/// A certificate chain and its private key, loaded and checked.
struct LoadedCertificatePair: Sendable {
    /// The chain from `cert_file`, leaf first.
    var chain: [NIOSSLCertificate]
    /// The private key from `key_file`.
    var key: NIOSSLPrivateKey
    /// The leaf's DNS SANs, for SNI selection among several pairs.
    var dnsNames: [String]
}

/// Reading the PEM files a `tls {}` block names, with errors at the key that names the file.
enum TLSFiles {
    /// Loads `cert_file` and `key_file` and checks that the key belongs to the leaf.
    static func load(_ pair: TLSSettings.CertificatePair) throws -> LoadedCertificatePair {
        let certBytes = try read(pair.certFile, key: "cert_file", at: pair.certPosition)
        let chain: [NIOSSLCertificate]
        do {
            chain = containsPEMCertificate(certBytes) ? try NIOSSLCertificate.fromPEMBytes(certBytes) : []
        } catch {
            throw ConfigError("cert_file \"\(pair.certFile)\": cannot parse PEM certificate", at: pair.certPosition)
        }
        guard let leaf = chain.first else {
            throw ConfigError("cert_file \"\(pair.certFile)\": no PEM certificate found", at: pair.certPosition)
        }
        let keyBytes = try read(pair.keyFile, key: "key_file", at: pair.keyPosition)
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem)
        } catch {
            throw ConfigError("key_file \"\(pair.keyFile)\": cannot parse PEM private key (RSA, ECDSA or Ed25519)",
                              at: pair.keyPosition)
        }
        do {
            // BoringSSL refuses a private key that does not match the leaf's public key.
            _ = try NIOSSLContext(configuration: .makeServerConfiguration(
                certificateChain: [.certificate(leaf)], privateKey: .privateKey(key)))
        } catch {
            throw ConfigError(
                "key_file \"\(pair.keyFile)\" does not match the certificate in cert_file \"\(pair.certFile)\"",
                at: pair.keyPosition)
        }
        let dnsNames = (try? PeerIdentity(certificate: leaf).dnsNames) ?? []
        return LoadedCertificatePair(chain: chain, key: key, dnsNames: dnsNames)
    }

    /// Loads the certificates of `ca_file`.
    static func loadCertificateAuthorities(_ path: String, at position: SourcePosition) throws -> [NIOSSLCertificate] {
        let bytes = try read(path, key: "ca_file", at: position)
        guard let certificates = try? NIOSSLCertificate.fromPEMBytes(bytes), !certificates.isEmpty else {
            throw ConfigError("ca_file \"\(path)\": failed to parse root ca certificate", at: position)
        }
        return certificates
    }

    private static func containsPEMCertificate(_ bytes: [UInt8]) -> Bool {
        String(decoding: bytes, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----")
    }

    private static func read(_ path: String, key: String, at position: SourcePosition) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError("\(key) \"\(path)\": no such file", at: position)
        }
        guard !isDirectory.boolValue else {
            throw ConfigError("\(key) \"\(path)\": is a directory", at: position)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("\(key) \"\(path)\": cannot be read (permission denied?)", at: position)
        }
        return Array(data)
    }
}
