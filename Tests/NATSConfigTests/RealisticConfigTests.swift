import Foundation
import XCTest
@testable import NATSConfig

/// A configuration exercising most nats-server sections.
let realisticConfig = #"""
# Starling / nats-server style configuration
server_name: "hub-1"
listen: 0.0.0.0:4222
http_port: 8222
max_payload: 1MB
max_connections: 64K
max_pending: 64MB
ping_interval: "2m"
write_deadline: "10s"
debug: false
trace: off
logtime: yes

// Keys only used as variables
TOKEN_VAR = "s3cr3t"
SUBJECT_PREFIX: orders

authorization {
  timeout: 2.5
  users = [
    {user: alice, password: "$2a$11$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ0123", permissions: {publish: ["orders.>"], subscribe: "_INBOX.>"}}
    {user: bob, password: $TOKEN_VAR}
    {user: carol, password: $2a$11$PWIFAL8RsWyGI3jVZtO9Nu8.6jOxzxfZo7c/W0eLk017hjgUKWrhy}
  ]
}

accounts: {
  SYS: { users: [{user: admin, password: changeme}] }
  ORDERS: {
    jetstream: enabled
    users: [
      {
        user: svc
        password: pw
        permissions: {
          publish: { allow: ["orders.*"], deny: ["orders.secret"] }
          subscribe: { allow: ["_INBOX.>"] }
        }
      }
    ]
    exports: [
      {stream: "orders.events.>"}
      {service: "orders.lookup", response: singleton}
    ]
  }
  BILLING: {
    users: [{user: billing, password: 'pw2'}]
    imports: [
      {stream: {account: ORDERS, subject: "orders.events.>"}, prefix: billing}
      {service: {account: ORDERS, subject: "orders.lookup"}, to: "lookup"}
    ]
  }
}
system_account: SYS

tls {
  cert_file: "./certs/server.pem"
  key_file: "./certs/server-key.pem"
  ca_file: "./certs/ca.pem"
  verify: true
  timeout: 2
}

cluster {
  name: hub
  listen: 0.0.0.0:6222
  routes = [
    nats-route://10.0.0.2:6222
    nats-route://10.0.0.3:6222
  ]
  authorization { user: route, password: routepw, timeout: 0.5 }
}

leafnodes {
  port: 7422
  remotes = [
    { url: "tls://connect.ngs.global", credentials: "/etc/nats/ngs.creds", account: ORDERS }
  ]
}

gateway {
  name: "A"
  port: 7222
  gateways: [
    {name: "B", urls: ["nats://10.1.0.1:7222", "nats://10.1.0.2:7222"]}
  ]
}

jetstream {
  store_dir: "/var/lib/nats/js"
  max_memory_store: 1GB
  max_file_store: 10GiB
  domain: hub
  sync_interval: 500ms
}

resolver_preload: {
  ABCDEF: (
-----BEGIN JWT-----
eyJhbGciOiJlZDI1NTE5In0
-----END JWT-----
)
}
mappings = { "orders.new": "$SUBJECT_PREFIX.created" }
"""#

final class RealisticConfigTests: XCTestCase {
    func testRealisticConfig() throws {
        let root = try parse(realisticConfig, file: "nats.conf")
        XCTAssertEqual(root["server_name"]?.string, "hub-1")
        XCTAssertEqual(root["listen"]?.string, "0.0.0.0:4222")
        XCTAssertEqual(root["http_port"]?.int, 8222)
        XCTAssertEqual(root["max_payload"]?.int, 1 << 20)
        XCTAssertEqual(root["max_connections"]?.int, 64_000)
        XCTAssertEqual(try root["ping_interval"]?.duration(), .seconds(120))
        XCTAssertEqual(try root["write_deadline"]?.duration(), .seconds(10))
        XCTAssertEqual(root["debug"]?.bool, false)
        XCTAssertEqual(root["trace"]?.bool, false)
        XCTAssertEqual(root["logtime"]?.bool, true)

        let auth = try XCTUnwrap(root["authorization"])
        XCTAssertEqual(try auth["timeout"]?.duration(), .milliseconds(2500))
        let users = try XCTUnwrap(auth["users"]?.array)
        XCTAssertEqual(users.count, 3)
        XCTAssertEqual(users[0]["permissions"]?["publish"]?.array?.first?.string, "orders.>")
        XCTAssertEqual(users[0]["permissions"]?["subscribe"]?.string, "_INBOX.>")
        XCTAssertEqual(users[1]["password"]?.string, "s3cr3t")
        XCTAssertEqual(users[1]["password"]?.position, SourcePosition(file: "nats.conf", line: 22, column: 27))
        XCTAssertEqual(users[2]["password"]?.string, "$2a$11$PWIFAL8RsWyGI3jVZtO9Nu8.6jOxzxfZo7c/W0eLk017hjgUKWrhy")

        let accounts = try XCTUnwrap(root["accounts"])
        XCTAssertEqual(accounts.keys, ["SYS", "ORDERS", "BILLING"])
        XCTAssertEqual(accounts["orders"]?["jetstream"]?.string, "enabled")
        let svc = try XCTUnwrap(accounts["ORDERS"]?["users"]?.array?.first)
        XCTAssertEqual(svc["permissions"]?["publish"]?["deny"]?.array?.first?.string, "orders.secret")
        XCTAssertEqual(accounts["ORDERS"]?["exports"]?.array?[1]["response"]?.string, "singleton")
        let imports = try XCTUnwrap(accounts["BILLING"]?["imports"]?.array)
        XCTAssertEqual(imports[0]["stream"]?["account"]?.string, "ORDERS")
        XCTAssertEqual(imports[1]["to"]?.string, "lookup")
        XCTAssertEqual(root["system_account"]?.string, "SYS")

        XCTAssertEqual(root["tls"]?["verify"]?.bool, true)
        XCTAssertEqual(root["tls"]?["cert_file"]?.string, "./certs/server.pem")
        XCTAssertEqual(root["cluster"]?["routes"]?.array?.compactMap(\.string),
                       ["nats-route://10.0.0.2:6222", "nats-route://10.0.0.3:6222"])
        XCTAssertEqual(try root["cluster"]?["authorization"]?["timeout"]?.duration(), .milliseconds(500))
        XCTAssertEqual(root["leafnodes"]?["remotes"]?.array?.first?["url"]?.string, "tls://connect.ngs.global")
        XCTAssertEqual(root["gateway"]?["gateways"]?.array?.first?["urls"]?.array?.count, 2)
        XCTAssertEqual(root["jetstream"]?["max_memory_store"]?.int, 1 << 30)
        XCTAssertEqual(root["jetstream"]?["max_file_store"]?.int64, 10 << 30)
        XCTAssertEqual(try root["jetstream"]?["sync_interval"]?.duration(), .milliseconds(500))
        XCTAssertEqual(root["resolver_preload"]?["ABCDEF"]?.string,
                       "\n-----BEGIN JWT-----\neyJhbGciOiJlZDI1NTE5In0\n-----END JWT-----\n")
        XCTAssertEqual(root["mappings"]?["orders.new"]?.string, "$SUBJECT_PREFIX.created")

        // Unknown-key handling as a decoder would do it.
        let known: Set<String> = [
            "server_name", "listen", "http_port", "max_payload", "max_connections", "max_pending",
            "ping_interval", "write_deadline", "debug", "trace", "logtime", "authorization", "accounts",
            "system_account", "tls", "cluster", "leafnodes", "gateway", "jetstream", "resolver_preload", "mappings",
        ]
        let unknown = try XCTUnwrap(root.entries).filter { !known.contains($0.key.lowercased()) }
        XCTAssertEqual(unknown.map(\.key), ["TOKEN_VAR", "SUBJECT_PREFIX"])
        XCTAssertEqual(unknown.filter { !$0.isUsedAsVariable }.map(\.key), ["SUBJECT_PREFIX"],
                       "SUBJECT_PREFIX is only mentioned inside a quoted string, which is not a reference")
        let error = ConfigError("unknown field \"SUBJECT_PREFIX\"", at: unknown[1].keyPosition)
        XCTAssertEqual(error.description, "nats.conf:16:1: unknown field \"SUBJECT_PREFIX\"")
    }

    func testRealisticConfigFromFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try write(realisticConfig, to: directory + "/nats.conf")
        let root = try ConfigParser.parse(fileAt: directory + "/nats.conf")
        XCTAssertEqual(root["gateway"]?["name"]?.string, "A")
        XCTAssertEqual(root.entry(forKey: "gateway")?.keyPosition.file, directory + "/nats.conf")
    }
}
