import NIOCore
import NIOSSL
import NIOTLS

/// Sits right after the NIOSSL handler until the handshake is over: enforces the handshake
/// `timeout`, checks `pinned_certs` against the peer's leaf certificate once NIOSSL has verified
/// the chain (as nats-server's `doTLSHandshake` does, on accept and on solicit), then fires
/// ``TLSEstablished`` with the negotiated version, cipher suite and ``PeerIdentity`` and removes
/// itself and its ``ServerHelloSniffer`` so that the message path carries no extra handler.
///
/// A connection that fails pinning or times out is closed with a ``TLSLinkError`` fired as an
/// error first; nothing read on it is passed on.
final class TLSHandshakeGate: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let sniffer: ServerHelloSniffer
    private let pinned: PinnedCertificates?
    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    private var state = State.handshaking

    private enum State {
        case handshaking
        case failed
        case done
    }

    init(sniffer: ServerHelloSniffer, pinned: PinnedCertificates?, timeout: TimeAmount) {
        self.sniffer = sniffer
        self.pinned = pinned
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startTimer(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        startTimer(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .failed = state else {
            context.fireChannelRead(data)
            return
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case .handshakeCompleted = event as? TLSUserEvent, case .handshaking = state else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        timer?.cancel()
        timer = nil
        let ssl = try? context.pipeline.syncOperations.handler(type: NIOSSLHandler.self)
        let peer = ssl?.peerCertificate.flatMap { try? PeerIdentity(certificate: $0) }
        if let pinned, !pinned.accepts(peer) {
            fail(context: context, TLSLinkError.certificateNotPinned(spkiSHA256: peer?.spkiSHA256))
            return
        }
        state = .done
        let info = TLSConnectionInfo(version: TLSConnectionInfo.versionName(ssl?.tlsVersion),
                                     cipherSuiteID: sniffer.cipherSuiteID, peer: peer)
        context.fireUserInboundEventTriggered(TLSEstablished(info: info))
        context.fireUserInboundEventTriggered(event)
        let pipeline = context.pipeline.syncOperations
        pipeline.removeHandler(sniffer, promise: nil)
        pipeline.removeHandler(self, promise: nil)
    }

    private func startTimer(context: ChannelHandlerContext) {
        guard timer == nil, case .handshaking = state else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            let (gate, context) = loopBound.value
            if case .handshaking = gate.state { gate.fail(context: context, .handshakeTimeout) }
        }
    }

    private func fail(context: ChannelHandlerContext, _ error: TLSLinkError) {
        state = .failed
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }
}
