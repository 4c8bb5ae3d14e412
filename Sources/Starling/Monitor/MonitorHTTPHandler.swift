import Foundation
import NIOCore
import NIOHTTP1

/// Serves the monitoring endpoints over HTTP/1.1: GET (and HEAD) only.
final class MonitorHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let monitor: Monitor
    private var request: HTTPRequestHead?

    init(monitor: Monitor) {
        self.monitor = monitor
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            answer(head, context: context)
        }
    }

    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let components = URLComponents(string: head.uri)
        var path = components?.path ?? head.uri
        let base = monitor.server.options.httpBasePath
        if !base.isEmpty && base != "/" {
            let trimmedBase = base.hasSuffix("/") ? String(base.dropLast()) : base
            if path.hasPrefix(trimmedBase) { path = String(path.dropFirst(trimmedBase.count)) }
        }
        if path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        var query: [String: String] = [:]
        for item in components?.queryItems ?? [] { query[item.name] = item.value ?? "" }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let keepAlive = head.isKeepAlive
        let version = head.version
        let isHead = head.method == .HEAD
        guard head.method == .GET || isHead else {
            write(.init(status: 405, contentType: "text/plain", body: "method not allowed\n"), version: version,
                  keepAlive: keepAlive, headOnly: false, context: context)
            return
        }
        monitor.count(path)
        monitor.respond(path: path, query: query, on: context.eventLoop).whenComplete { result in
            let (handler, context) = loopBound.value
            let response = (try? result.get()) ?? .badRequest("internal error")
            handler.write(response, version: version, keepAlive: keepAlive, headOnly: isHead, context: context)
        }
    }

    private func write(_ response: MonitorResponse, version: HTTPVersion, keepAlive: Bool, headOnly: Bool,
                       context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.utf8.count))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !headOnly {
            var buffer = context.channel.allocator.buffer(capacity: response.body.utf8.count)
            buffer.writeString(response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
