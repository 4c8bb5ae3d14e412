import Foundation
import NIOCore
import NATSSubjects

/// CONNECT: options, authentication and binding to an account.
extension ClientHandler {
    func processConnect(_ json: Data) {
        let decoded: ClientConnectOptions
        do {
            decoded = try JSONDecoder().decode(ClientConnectOptions.self, from: json)
        } catch {
            server.log.error("\(info.ip):\(info.port) - cid:\(info.cid) - Invalid CONNECT: \(error.localizedDescription)")
            closeReason = "Protocol Violation"
            closeNow()
            return
        }
        if decoded.protocol < 0 || decoded.protocol > 1 {
            closeReason = "Bad Client Protocol Version"
            fail(ClientError.invalidProtocol)
            return
        }
        if decoded.noResponders && !decoded.headers {
            closeReason = "Protocol Violation"
            fail(ClientError.noRespondersRequiresHeaders)
            return
        }
        let authenticator = server.authenticator
        guard authenticator.required else {
            accept(decoded, as: authenticator.defaultIdentity() ?? identity!)
            return
        }
        // Checking a bcrypt hash takes ~100 ms: never on the event loop. Input waits meanwhile.
        paused = true
        connection.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        let nonce = self.nonce
        let peer = tlsSession?.peer
        let loopBound = NIOLoopBound(self, eventLoop: connection.eventLoop)
        server.blockingPool.runIfActive(eventLoop: connection.eventLoop) {
            authenticator.authenticate(decoded, nonce: nonce, peer: peer)
        }.whenComplete { result in
            let handler = loopBound.value
            guard !handler.closing else { return }
            guard case .success(let found?) = result else {
                handler.server.log.error("\(handler.info.ip):\(handler.info.port) - cid:\(handler.info.cid) - \(Self.describeFailure(decoded)) - Authorization Violation")
                handler.closeReason = "Authentication Failure"
                handler.fail(ClientError.authorizationViolation)
                return
            }
            handler.accept(decoded, as: found)
            handler.resume()
        }
    }

    /// Completes a CONNECT whose credentials were accepted.
    private func accept(_ decoded: ClientConnectOptions, as authenticated: ClientIdentity) {
        options = decoded
        options.headers = decoded.headers && opts.headers
        info.name = decoded.name ?? ""
        info.lang = decoded.lang ?? ""
        info.version = decoded.version ?? ""
        connection.setHeadersSupported(options.headers)
        bind(authenticated)
        connectAccepted = true
        authTimer?.cancel()
        ok()
    }

    /// Binds the connection to an identity: its account and permissions. Subscriptions made
    /// before (allowed without authentication) move to the new account.
    func bind(_ newIdentity: ClientIdentity) {
        identity = newIdentity
        info.authorizedUser = newIdentity.displayName
        connection.setResponsePermission(newIdentity.permissions?.responses)
        cache = PublishCache()
        guard newIdentity.account !== account else { return }
        let subs = connection.subscriptions.withLock { Array($0.values) }
        account.removeAll(subs)
        for sub in subs { removeShadows(of: sub) }
        // The connection counts for the account it ends up in, as in nats-server.
        account.stats.totalConnections.subtract(1, ordering: .relaxed)
        newIdentity.account.stats.totalConnections.add(1, ordering: .relaxed)
        account = newIdentity.account
        connection.account = account
        info.account = account.name
        for sub in subs {
            account.insert(sub)
            addShadows(for: sub)
        }
    }

    /// What the log says about failed credentials: the method and the user, never the secret.
    static func describeFailure(_ connect: ClientConnectOptions) -> String {
        if let nkey = connect.nkey, !nkey.isEmpty { return "NKey \"\(nkey)\"" }
        if let user = connect.user, !user.isEmpty { return "User \"\(user)\"" }
        if connect.authToken != nil { return "Token" }
        return "No credentials"
    }
}

extension ClientHandler {
    /// After a reload: binds the renewed identity, drops subscriptions its permissions no
    /// longer allow (telling the client, as nats-server does), and rebuilds import shadows.
    func rebind(_ renewed: ClientIdentity) {
        bind(renewed)
        let subs = connection.subscriptions.withLock { Array($0.values) }
        for sub in subs {
            if let permissions = renewed.permissions, !permissions.canSubscribe(sub.subject, queue: sub.queue) {
                server.removeSubscription(sub)
                sendError("Permissions Violation for Subscription to \"\(sub.subject)\" (sid \"\(sub.sidString)\")")
                continue
            }
            // Subscriptions are immutable: one whose deny filter changes is replaced.
            let filter = renewed.permissions?.deliveryDenyFilter(for: sub.subject)
            if filter != sub.denyFilter {
                replace(sub, denyFilter: filter)
            } else {
                removeShadows(of: sub)
                addShadows(for: sub)
            }
        }
        flushTouched()
    }

    /// Swaps a subscription for one with a new deny filter, keeping its sid and counters.
    private func replace(_ old: Subscription, denyFilter: [SubjectPattern]?) {
        let fresh = Subscription(subject: old.subject, queue: old.queue, sid: old.sid, connection: connection,
                                 denyFilter: denyFilter)
        connection.carryCounters(from: old, to: fresh)
        server.removeSubscription(old)
        connection.subscriptions.withLock { $0[old.sidString] = fresh }
        account.insert(fresh)
        addShadows(for: fresh)
    }
}
