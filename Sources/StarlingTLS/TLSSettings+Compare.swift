import NATSConfig

extension TLSSettings {
    /// Whether `other` asks for the same TLS, wherever in the file each block is written
    /// (reload compares what a block says, not where).
    public func sameSettings(as other: TLSSettings) -> Bool {
        withoutPositions == other.withoutPositions
    }

    private var withoutPositions: TLSSettings {
        let nowhere = SourcePosition(file: "", line: 0, column: 0)
        var copy = self
        copy.position = nowhere
        copy.keyPositions = [:]
        copy.certificates = certificates.map {
            CertificatePair(certFile: $0.certFile, keyFile: $0.keyFile, certPosition: nowhere, keyPosition: nowhere)
        }
        return copy
    }
}
