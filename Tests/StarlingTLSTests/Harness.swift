import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import StarlingTLS
import XCTest

/// Runs real TLS handshakes over loopback between contexts under test.
enum Harness {
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// What one side saw.
    enum Outcome: Sendable {
        case established(TLSConnectionInfo?)
        case failed(String)

        var info: TLSConnectionInfo? {
            if case .established(let info) = self { return info }
            return nil
        }
        var isEstablished: Bool {
            if case .established = self { return true }
            return false
        }
        var failure: String? {
            if case .failed(let reason) = self { return reason }
            return nil
        }
    }

    /// Records the first of: TLSEstablished (or NIOSSL's handshakeCompleted for raw handlers),
    /// an error, the channel closing, or 5 seconds passing. Echoes data it receives when `echo`.
    final class Recorder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let promise: EventLoopPromise<Outcome>
        let echo: Bool
        var done = false
        var received: EventLoopPromise<ByteBuffer>?
        /// Echo mode: completed with the pipeline's description at the first read.
        var pipelineAtFirstRead: EventLoopPromise<String>?

        init(promise: EventLoopPromise<Outcome>, echo: Bool) {
            self.promise = promise
            self.echo = echo
        }

        func handlerAdded(context: ChannelHandlerContext) {
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .seconds(5)) { loopBound.value.finish(.failed("test timeout")) }
        }

        func finish(_ outcome: Outcome) {
            guard !done else { return }
            done = true
            promise.succeed(outcome)
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let established = event as? TLSEstablished {
                finish(.established(established.info))
            } else if case .handshakeCompleted = event as? TLSUserEvent {
                finish(.established(nil))
            }
            context.fireUserInboundEventTriggered(event)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            if echo {
                pipelineAtFirstRead?.succeed(context.pipeline.debugDescription)
                pipelineAtFirstRead = nil
                context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            } else {
                received?.succeed(buffer)
                received = nil
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            finish(.failed(String(describing: error)))
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            finish(.failed("closed"))
            received?.fail(ChannelError.eof)
            received = nil
        }
    }

    /// The result of one connection attempt.
    struct Run {
        var server: Outcome
        var client: Outcome
        /// Whether bytes sent by the client came back through the server (only when both sides established).
        var echoed: Bool
        /// The server pipeline's description when the echoed bytes arrived.
        var serverPipeline: String
    }

    /// Accepts one connection with `server` and connects to it with the handlers `client` makes.
    static func handshake(
        server: ServerTLS,
        host: String = "127.0.0.1",
        client: @escaping @Sendable () throws -> [ChannelHandler]
    ) async throws -> Run {
        let loop = group.next()
        let serverOutcome = loop.makePromise(of: Outcome.self)
        let serverPipeline = loop.makePromise(of: String.self)
        let listener = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try server.addHandlers(to: channel.pipeline.syncOperations)
                    let recorder = Recorder(promise: serverOutcome, echo: true)
                    recorder.pipelineAtFirstRead = serverPipeline
                    try channel.pipeline.syncOperations.addHandler(recorder)
                }
            }
            .bind(host: host, port: 0).get()
        defer { listener.close(promise: nil) }

        let clientOutcome = loop.makePromise(of: Outcome.self)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(client())
                    try channel.pipeline.syncOperations.addHandler(Recorder(promise: clientOutcome, echo: false))
                }
            }
            .connect(to: listener.localAddress!).get()
        defer { channel.close(promise: nil) }

        let serverResult = try await serverOutcome.futureResult.get()
        let clientResult = try await clientOutcome.futureResult.get()
        var echoed = false
        var pipeline = ""
        if serverResult.isEstablished && clientResult.isEstablished {
            let reply = channel.eventLoop.makePromise(of: ByteBuffer.self)
            channel.eventLoop.scheduleTask(in: .seconds(5)) {
                reply.fail(ChannelError.eof)
                serverPipeline.succeed("")
            }
            try await channel.eventLoop.submit {
                let recorder = try channel.pipeline.syncOperations.handler(type: Recorder.self)
                recorder.received = reply
                channel.writeAndFlush(ByteBuffer(string: "PING\r\n"), promise: nil)
            }.get()
            echoed = (try? await reply.futureResult.get()) == ByteBuffer(string: "PING\r\n")
            pipeline = (try? await serverPipeline.futureResult.get()) ?? ""
        } else {
            serverPipeline.succeed("")
        }
        return Run(server: serverResult, client: clientResult, echoed: echoed, serverPipeline: pipeline)
    }

    /// A client from StarlingTLS's own soliciting side.
    static func client(_ tls: ClientTLS, host: String? = "localhost") -> @Sendable () throws -> [ChannelHandler] {
        { try tls.makeHandlers(serverHostname: host) }
    }

    /// A plain NIOSSL client (for clients that offer what our factory would not).
    static func rawClient(
        certificate: String? = nil,
        maximumVersion: TLSVersion? = nil,
        cipherSuites: String? = nil,
        verifyServer: Bool = true,
        acceptEd25519: Bool = false
    ) throws -> @Sendable () throws -> [ChannelHandler] {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(TestPKI.path("ca.pem")))
        configuration.certificateVerification = verifyServer ? .fullVerification : .none
        if let certificate {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(TestPKI.path(certificate + ".pem"))
                .map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: TestPKI.path(certificate + "-key.pem"), format: .pem))
        }
        configuration.maximumTLSVersion = maximumVersion
        if let cipherSuites { configuration.cipherSuites = cipherSuites }
        if acceptEd25519 {
            configuration.verifySignatureAlgorithms = [.ecdsaSecp256R1Sha256, .rsaPssRsaeSha256, .rsaPkcs1Sha256,
                                                       .ecdsaSecp384R1Sha384, .ed25519]
        }
        let context = try NIOSSLContext(configuration: configuration)
        return { [try NIOSSLClientHandler(context: context, serverHostname: "localhost")] }
    }
}
