import NIOSSL

/// A `pinned_certs` set: lowercase hex SHA-256 digests of DER SubjectPublicKeyInfos.
public struct PinnedCertificates: Sendable, Equatable {
    /// The digests.
    public let digests: Set<String>

    /// Creates a set; digests are lowercased.
    public init(_ digests: some Sequence<String>) {
        self.digests = Set(digests.map { $0.lowercased() })
    }

    /// Whether the peer's leaf certificate is pinned (nats-server's `matchesPinnedCert`): a
    /// missing certificate never is.
    public func accepts(_ peer: PeerIdentity?) -> Bool {
        guard let peer else { return false }
        return digests.contains(peer.spkiSHA256)
    }

    /// Whether this leaf certificate is pinned.
    public func accepts(_ certificate: NIOSSLCertificate) -> Bool {
        accepts(try? PeerIdentity(certificate: certificate))
    }
}
