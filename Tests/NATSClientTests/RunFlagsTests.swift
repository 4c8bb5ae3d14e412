import XCTest
@testable import Starling
@testable import starling

/// nats-server's command-line flags as `starling run` reads them: Go's flag parsing takes long
/// flags with one dash or two, so both spellings must give the same options.
final class RunFlagsTests: XCTestCase {
    func testClusterFlagsWithOneOrTwoDashes() throws {
        for dash in ["-", "--"] {
            let options = try RunCommand.parse([
                "\(dash)cluster", "nats://ru:secret@127.0.0.1:6250", "\(dash)cluster_name", "east",
                "\(dash)routes", "nats://127.0.0.1:6251,nats-route://127.0.0.1:6252",
                "\(dash)cluster_advertise", "east1:6250", "\(dash)no_advertise", "\(dash)connect_retries", "4",
                "\(dash)client_advertise", "east1:4222",
            ]).makeOptions()
            let cluster = try XCTUnwrap(options.cluster, dash)
            XCTAssertEqual(cluster.host, "127.0.0.1")
            XCTAssertEqual(cluster.port, 6250)
            XCTAssertEqual(cluster.username, "ru")
            XCTAssertEqual(cluster.password, "secret")
            XCTAssertEqual(cluster.name, "east")
            XCTAssertEqual(cluster.routes.map(\.description), ["127.0.0.1:6251", "127.0.0.1:6252"])
            XCTAssertEqual(cluster.advertise, "east1:6250")
            XCTAssertTrue(cluster.noAdvertise)
            XCTAssertEqual(cluster.connectRetries, 4)
            XCTAssertEqual(options.clientAdvertise, "east1:4222")
        }
    }

    func testAuthFlagsWithOneDash() throws {
        let options = try RunCommand.parse(["-user", "u", "-pass", "p"]).makeOptions()
        XCTAssertEqual(options.auth.singleUser?.username, "u")
        XCTAssertEqual(options.auth.singleUser?.password, "p")
        XCTAssertEqual(try RunCommand.parse(["-auth", "tok"]).makeOptions().auth.token, "tok")
    }

    func testBadRouteURLIsRefused() {
        XCTAssertThrowsError(try RunCommand.parse(["--routes", "nats://nohost"]).makeOptions())
    }
}
