import Foundation
import NIOCore
import Synchronization

/// The monitoring endpoints: builds each document from the server's live state.
final class Monitor: Sendable {
    let server: Server
    private let requests = Mutex<[String: Int]>([:])
    private let port = Atomic<Int>(0)
    private let metrics = PrometheusMetrics()

    init(server: Server) {
        self.server = server
    }

    /// The bound HTTP port, once listening.
    var boundPort: Int {
        get { port.load(ordering: .relaxed) }
        set { port.store(newValue, ordering: .relaxed) }
    }

    func count(_ path: String) {
        requests.withLock { $0[path, default: 0] += 1 }
    }

    func requestCounts() -> [String: Int] { requests.withLock { $0 } }

    /// Answers one GET; `path` has the base path removed.
    func respond(path: String, query: [String: String], on loop: any EventLoop) -> EventLoopFuture<MonitorResponse> {
        do {
            switch path {
            case "/", "":
                return loop.makeSucceededFuture(.html(MonitorIndex.page(basePath: server.options.httpBasePath)))
            case "/varz":
                return loop.makeSucceededFuture(try .json(varz()))
            case "/connz":
                let parsed = try ConnzQuery(query)
                return connz(parsed, on: loop).flatMapThrowing {
                    try .json($0, subscriptions: parsed.subscriptions, showAuth: parsed.showAuth)
                }
            case "/subsz", "/subscriptionsz":
                return loop.makeSucceededFuture(try .json(subsz(query)))
            case "/healthz":
                return loop.makeSucceededFuture(try .json(["status": "ok"]))
            case "/routez":
                return routez(query, on: loop).flatMapThrowing { try .json($0) }
            case "/leafz":
                return loop.makeSucceededFuture(try .json(Leafz(serverID: server.serverID, now: GoFormat.timestamp(Date()))))
            case "/gatewayz":
                return loop.makeSucceededFuture(try .json(Gatewayz(serverID: server.serverID, now: GoFormat.timestamp(Date()),
                                                                    name: "", host: server.options.host, port: 0)))
            case "/accountz":
                return loop.makeSucceededFuture(try .json(accountz(query)))
            case "/accstatz":
                return loop.makeSucceededFuture(try .json(accstatz(query)))
            case "/metrics":
                return loop.makeSucceededFuture(.text(metrics.render(monitor: self, traffic: accountTraffic())))
            default:
                return loop.makeSucceededFuture(.notFound)
            }
        } catch let error as MonitorError {
            return loop.makeSucceededFuture(.badRequest(error.message))
        } catch {
            return loop.makeSucceededFuture(.badRequest("\(error)"))
        }
    }
}

/// A request the monitor refuses.
enum MonitorError: Error {
    case badRequest(String)

    var message: String {
        switch self { case .badRequest(let m): m }
    }
}

/// A monitoring answer: status, content type and body.
struct MonitorResponse: Sendable {
    var status: Int
    var contentType: String
    var body: String

    static func json(_ value: some Encodable, subscriptions: ConnectionInfo.SubscriptionDetail = .none,
                     showAuth: Bool = false) throws -> MonitorResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.userInfo[.subscriptionDetail] = subscriptions
        encoder.userInfo[.showAuth] = showAuth
        return MonitorResponse(status: 200, contentType: "application/json", body: String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    static func html(_ body: String) -> MonitorResponse {
        MonitorResponse(status: 200, contentType: "text/html; charset=utf-8", body: body)
    }

    static func text(_ body: String) -> MonitorResponse {
        MonitorResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: body)
    }

    static func badRequest(_ message: String) -> MonitorResponse {
        MonitorResponse(status: 400, contentType: "text/plain; charset=utf-8", body: message + "\n")
    }

    static let notFound = MonitorResponse(status: 404, contentType: "text/plain; charset=utf-8", body: "404 page not found\n")
}

