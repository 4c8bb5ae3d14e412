/// The kind of link a `tls {}` block configures. nats-server accepts the same keys in every
/// block but rejects a few per kind and uses different ones per kind (see ``TLSSettings/validate(for:)``).
public enum TLSLinkKind: String, Sendable, CaseIterable {
    /// The top-level `tls {}`: the client listener.
    case client
    /// `cluster { tls {} }`: routes, accepted and solicited.
    case cluster
    /// `gateway { tls {} }` and `gateway { gateways [ { tls {} } ] }`.
    case gateway
    /// `leafnodes { tls {} }`: the leaf-node listener.
    case leafnode
    /// `leafnodes { remotes [ { tls {} } ] }`: a solicited leaf-node connection.
    case leafnodeRemote
    /// The HTTPS monitoring listener (it uses the top-level `tls {}`).
    case monitor
    /// `websocket { tls {} }`.
    case websocket
    /// `mqtt { tls {} }`.
    case mqtt

    /// nats-server parses these blocks with `isClientCtx = true` (opts.go `parseTLS`).
    var isClientContext: Bool {
        switch self {
        case .cluster, .gateway: return false
        case .client, .leafnode, .leafnodeRemote, .monitor, .websocket, .mqtt: return true
        }
    }

    /// Routes and gateways always require and verify the peer's certificate
    /// (opts.go `getTLSConfig` forces `RequireAndVerifyClientCert`).
    var alwaysVerifiesPeer: Bool { !isClientContext }
}
