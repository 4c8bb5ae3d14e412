import NIOCore
import NIOPosix
import NIOSSL
import XCTest
@testable import StarlingTLS

/// `handshake_first`: TLS-first clients and INFO-first clients on the same listener.
final class TLSFirstTests: XCTestCase {
    /// Plays the client link handler: INFO in plaintext on `.infoFirst`, INFO over TLS after
    /// the handshake on `.tlsFirst`; reports the decision once TLS is established.
    final class ServerLink: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let tls: ServerTLS
        let result: EventLoopPromise<TLSFirstDecision>
        var decision: TLSFirstDecision?

        init(tls: ServerTLS, result: EventLoopPromise<TLSFirstDecision>) {
            self.tls = tls
            self.result = result
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            switch event {
            case let decision as TLSFirstDecision:
                self.decision = decision
                if decision == .infoFirst {
                    context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "INFO {}\r\n")), promise: nil)
                    do { try tls.addHandlers(to: context.pipeline.syncOperations) } catch { result.fail(error) }
                }
            case is TLSEstablished:
                if decision == .tlsFirst {
                    context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "INFO {}\r\n")), promise: nil)
                }
                if let decision { result.succeed(decision) }
            default:
                context.fireUserInboundEventTriggered(event)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            result.fail(ChannelError.eof)
        }
    }

    /// Reads INFO (in plaintext first when `plaintextInfo`, then starts TLS) and reports the INFO line
    /// received over TLS or in plaintext before TLS.
    final class ClientLink: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let client: ClientTLS
        let plaintextInfo: Bool
        let info: EventLoopPromise<String>
        var established = false

        init(client: ClientTLS, plaintextInfo: Bool, info: EventLoopPromise<String>) {
            self.client = client
            self.plaintextInfo = plaintextInfo
            self.info = info
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = String(buffer: unwrapInboundIn(data))
            if plaintextInfo && !established {
                do { try client.addHandlers(to: context.pipeline.syncOperations, serverHostname: "localhost") } catch {
                    info.fail(error)
                }
                info.succeed("plaintext " + text)
            } else {
                info.succeed("tls " + text)
            }
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if event is TLSEstablished { established = true }
        }

        func channelInactive(context: ChannelHandlerContext) {
            info.fail(ChannelError.eof)
        }
    }

    private func run(mode: String, tlsFirstClient: Bool) async throws -> (TLSFirstDecision, String) {
        let settings = try TestPKI.settings(TestPKI.serverBlock(extra: "handshake_first: \(mode)"))
        let server = try ServerTLS(settings: settings, kind: .client)
        let client = try ClientTLS(settings: TestPKI.settings("ca_file: \"$PKI/ca.pem\""), kind: .leafnodeRemote)
        let loop = Harness.group.next()
        let decision = loop.makePromise(of: TLSFirstDecision.self)
        let info = loop.makePromise(of: String.self)
        loop.scheduleTask(in: .seconds(5)) {
            decision.fail(ChannelError.connectTimeout(.seconds(5)))
            info.fail(ChannelError.connectTimeout(.seconds(5)))
        }
        let listener = try await ServerBootstrap(group: loop)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        TLSFirstHandler(tls: server, mode: settings.handshakeFirst),
                        ServerLink(tls: server, result: decision))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { listener.close(promise: nil) }
        let channel = try await ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if tlsFirstClient {
                        try client.addHandlers(to: channel.pipeline.syncOperations, serverHostname: "localhost")
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        ClientLink(client: client, plaintextInfo: !tlsFirstClient, info: info))
                }
            }
            .connect(to: listener.localAddress!).get()
        defer { channel.close(promise: nil) }
        return (try await decision.futureResult.get(), try await info.futureResult.get())
    }

    func testAutoServesBothKindsOfClient() async throws {
        let (first, firstInfo) = try await run(mode: "auto", tlsFirstClient: true)
        XCTAssertEqual(first, .tlsFirst)
        XCTAssertEqual(firstInfo, "tls INFO {}\r\n")
        let (fallback, fallbackInfo) = try await run(mode: "\"100ms\"", tlsFirstClient: false)
        XCTAssertEqual(fallback, .infoFirst)
        XCTAssertEqual(fallbackInfo, "plaintext INFO {}\r\n")
    }

    func testOnAndOff() async throws {
        let (on, _) = try await run(mode: "true", tlsFirstClient: true)
        XCTAssertEqual(on, .tlsFirst)
        let (off, offInfo) = try await run(mode: "false", tlsFirstClient: false)
        XCTAssertEqual(off, .infoFirst)
        XCTAssertEqual(offInfo, "plaintext INFO {}\r\n")
    }
}
