import NATSConfig

/// Builds a listener's or a solicited link's TLS straight from its `tls {}` node: decode,
/// check for the kind, load files, make the NIOSSL context. Contexts are immutable; a reload
/// builds new ones (existing connections keep theirs).
public enum TLSContextFactory {
    /// The accepting side of a listener of `kind`.
    /// - Throws: ``NATSConfig/ConfigError`` with the position of the offending key or value.
    public static func server(_ node: ConfigNode, kind: TLSLinkKind) throws -> ServerTLS {
        try ServerTLS(settings: TLSSettings(from: node), kind: kind)
    }

    /// The soliciting side for `kind` (`.cluster`, `.gateway`, `.leafnodeRemote`).
    /// - Throws: ``NATSConfig/ConfigError`` with the position of the offending key or value.
    public static func client(_ node: ConfigNode, kind: TLSLinkKind) throws -> ClientTLS {
        try ClientTLS(settings: TLSSettings(from: node), kind: kind)
    }
}
