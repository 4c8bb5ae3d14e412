import NATSConfig

extension TLSSettings {
    /// Rejects what nats-server rejects for a block of this kind: `verify_cert_and_check_known_urls`
    /// is only allowed in `cluster` and `gateway` blocks (opts.go `parseTLS` with `isClientCtx`).
    /// Keys that are accepted but unused for a kind (`handshake_first` for routes, for example)
    /// are not errors, as in nats-server.
    /// - Throws: ``NATSConfig/ConfigError`` at the offending key.
    public func validate(for kind: TLSLinkKind) throws {
        if verifyCertAndCheckKnownURLs && kind.isClientContext {
            throw ConfigError("verify_cert_and_check_known_urls not supported in this context",
                              at: position(of: "verify_cert_and_check_known_urls"))
        }
    }
}
