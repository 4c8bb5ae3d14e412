import NIOCore

/// What ``TLSFirstHandler`` decided for one accepted connection, fired as an inbound user event.
public enum TLSFirstDecision: Sendable, Equatable {
    /// The client spoke first: the TLS handlers are in place and its bytes went to them. Send
    /// INFO once ``TLSEstablished`` arrives.
    case tlsFirst
    /// The client stayed silent for the fallback delay: send INFO in plaintext now and add the
    /// TLS handlers right after (``ServerTLS/addHandlers(to:)``), as for an INFO-first listener.
    case infoFirst
}

/// `handshake_first` on a client or leaf-node listener. Put it first in the pipeline of each
/// accepted connection instead of writing INFO:
/// - with `.on`, it adds the TLS handlers at once and fires ``TLSFirstDecision/tlsFirst``;
/// - with `.auto(fallback:)`, it waits up to the fallback delay: any byte from the client means
///   TLS first (nats-server does not look at the bytes either: a non-TLS client then fails the
///   handshake); silence means ``TLSFirstDecision/infoFirst``.
///
/// It removes itself once it has decided.
public final class TLSFirstHandler: ChannelInboundHandler, RemovableChannelHandler {
    /// Bytes from the network.
    public typealias InboundIn = ByteBuffer
    /// The same bytes, passed on.
    public typealias InboundOut = ByteBuffer

    private let tls: ServerTLS
    private let fallback: TimeAmount?
    private var timer: Scheduled<Void>?
    private var decided = false

    /// - Parameters:
    ///   - tls: the listener's TLS.
    ///   - mode: the listener's `handshake_first` (`.off` decides INFO-first at once).
    public init(tls: ServerTLS, mode: TLSSettings.HandshakeFirst) {
        self.tls = tls
        switch mode {
        case .off: fallback = .zero
        case .on: fallback = nil
        case .auto(let delay):
            let (seconds, attoseconds) = delay.components
            fallback = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        }
    }

    /// Starts waiting when added to an active channel.
    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    /// Starts waiting when the channel becomes active.
    public func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        start(context: context)
    }

    /// Stops the fallback timer.
    public func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    /// The client's first bytes: TLS first; the bytes go on to the TLS handler.
    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !decided else {
            context.fireChannelRead(data)
            return
        }
        decideTLSFirst(context: context)
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func start(context: ChannelHandlerContext) {
        guard !decided, timer == nil else { return }
        guard let fallback else {
            decideTLSFirst(context: context)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        if fallback == .zero {
            decideInfoFirst(context: context)
            return
        }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: fallback) {
            let (handler, context) = loopBound.value
            if !handler.decided { handler.decideInfoFirst(context: context) }
        }
    }

    private func decideTLSFirst(context: ChannelHandlerContext) {
        decided = true
        timer?.cancel()
        timer = nil
        do {
            try context.pipeline.syncOperations.addHandlers(tls.makeHandlers(), position: .after(self))
        } catch {
            context.fireErrorCaught(error)
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(TLSFirstDecision.tlsFirst)
    }

    private func decideInfoFirst(context: ChannelHandlerContext) {
        decided = true
        timer = nil
        context.fireUserInboundEventTriggered(TLSFirstDecision.infoFirst)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
