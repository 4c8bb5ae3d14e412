/// Which op vocabulary a connection speaks (nats-server parser.go switches on the connection kind).
public enum WireDialect: Sendable, Equatable {
    /// Client connections: PUB, HPUB, SUB, UNSUB, MSG, HMSG, CONNECT, INFO, PING, PONG, +OK, -ERR.
    case client
    /// Route link: RS+, RS-, LS+, LS-, RMSG, route-form HMSG and LMSG, plus CONNECT, INFO, PING,
    /// PONG, +OK and -ERR. `accountInOps == false` on a route pinned to one account (nats-server
    /// 2.10+ `route_account`): RS+/RS-/LS+/LS-/RMSG/HMSG/LMSG then omit the account argument.
    ///
    /// PUB, HPUB, SUB, UNSUB and MSG are unknown operations on a route. (nats-server's parser lets
    /// some of them through on a route connection, but no server sends them there.) The control
    /// line may be 16 times ``WireParser/maxControlLine``, as in nats-server parser.go
    /// overMaxControlLineLimit. ``WireParser/maxPayload`` bounds routed messages; see there.
    case route(accountInOps: Bool)
}
