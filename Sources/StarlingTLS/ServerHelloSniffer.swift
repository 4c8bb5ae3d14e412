import NIOCore

/// Reads the cipher suite from the plaintext ServerHello as it passes on the wire, because
/// NIOSSL has no API for the negotiated suite. It sits on the network side of the NIOSSL
/// handler, never changes a byte, looks at most at the first 16 KiB of the server's flight, and
/// is removed by ``TLSHandshakeGate`` when the handshake completes.
final class ServerHelloSniffer: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Which direction carries the ServerHello.
    enum Role {
        /// We accept: the ServerHello is written by us.
        case server
        /// We solicit: the ServerHello is read from the peer.
        case client
    }

    private let role: Role
    private var parser = ServerHelloParser()

    /// The suite, once seen.
    var cipherSuiteID: UInt16? { parser.cipherSuiteID }

    init(role: Role) {
        self.role = role
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if role == .client && !parser.isFinished {
            parser.feed(unwrapInboundIn(data).readableBytesView)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if role == .server && !parser.isFinished {
            parser.feed(unwrapOutboundIn(data).readableBytesView)
        }
        context.write(data, promise: promise)
    }
}

/// Finds `cipher_suite` in the first ServerHello of a TLS byte stream (RFC 5246 §7.4.1.3,
/// RFC 8446 §4.1.3; a HelloRetryRequest carries the same suite). Not a TLS implementation: it
/// only reads that one plaintext field.
struct ServerHelloParser {
    private static let limit = 16 * 1024 + 5
    private var stream: [UInt8] = []
    private var handshake: [UInt8] = []
    private var offset = 0
    private(set) var cipherSuiteID: UInt16?
    private(set) var isFinished = false

    mutating func feed(_ bytes: some Collection<UInt8>) {
        guard !isFinished else { return }
        stream.append(contentsOf: bytes.prefix(Self.limit - stream.count))
        // Whole records: type(1) version(2) length(2) payload.
        while stream.count - offset >= 5 {
            let type = stream[offset]
            let length = Int(stream[offset + 3]) << 8 | Int(stream[offset + 4])
            guard stream.count - offset >= 5 + length else { break }
            guard type == 22 else { return finish() }
            handshake.append(contentsOf: stream[(offset + 5)..<(offset + 5 + length)])
            offset += 5 + length
            if parseHandshake() { return }
        }
        if stream.count >= Self.limit { finish() }
    }

    /// msg_type(1)=2 length(3) legacy_version(2) random(32) session_id<0..32> cipher_suite(2).
    private mutating func parseHandshake() -> Bool {
        guard handshake.count >= 4 + 2 + 32 + 1 else { return false }
        guard handshake[0] == 2 else {
            finish()
            return true
        }
        let sessionIDLength = Int(handshake[4 + 2 + 32])
        let suiteAt = 4 + 2 + 32 + 1 + sessionIDLength
        guard handshake.count >= suiteAt + 2 else { return false }
        cipherSuiteID = UInt16(handshake[suiteAt]) << 8 | UInt16(handshake[suiteAt + 1])
        finish()
        return true
    }

    private mutating func finish() {
        isFinished = true
        stream = []
        handshake = []
    }
}
