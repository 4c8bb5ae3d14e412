import Starling
import XCTest

final class BcryptTests: XCTestCase {
    /// Hashes from nats-server's tests, made by Go's bcrypt (`nats server passwd`), with the
    /// passwords those tests state.
    static let goHashes: [(password: String, hash: String)] = [
        ("IW@$6v(y1(t@fhPDvf!5^%", "$2a$04$Q.CgCP2Sl9pkcTXEZHazaeMwPaAkSHk7AI51HkyMt5iJQQyUA4qxq"),
        ("0uhJOSr3GW7xvHvtd^K6pa", "$2a$04$u5ZClXpcjHgpfc61Ee0VKuwI1K3vTC4zq7SjphjnlHMeb1Llkb5Y6"),
        ("test", "$2a$05$3sSWEVA1eMCbV0hWavDjXOx.ClBjI6u1CuUdLqf22cbJjXsnzz8/."),
        ("bar", "$2a$10$LoRPzN3GtF2pNX5QgCBBHeUr6/zVN./RVGOu5U8SpHyg2sfzvfXji"),
        ("foo", "$2a$04$P/.bd.7unw9Ew7yWJqXsl.f4oNRLQGvadEL2YnqQXbbb.IVQajRdK"),
    ]

    /// Made once with Python's `bcrypt` package (pyca, a separate implementation): `$2b$`, the
    /// same hash as `$2y$`, and `$2a$`.
    static let pythonHashes: [(password: String, hash: String)] = [
        ("s3cr3t pässwörd", "$2b$04$MeFO7HusDGRz2t6exgPxruX.QvnZj0SrtgaTv41hKuppivI1JmCyG"),
        ("s3cr3t pässwörd", "$2y$04$MeFO7HusDGRz2t6exgPxruX.QvnZj0SrtgaTv41hKuppivI1JmCyG"),
        ("s3cr3t pässwörd", "$2a$05$WXc6uOqPu6mB7IAaVSK/qeY9Ux/QVHb5nL/vrLC.Y3JbkkSyi75kW"),
    ]

    func testGoHashesVerify() {
        for (password, hash) in Self.goHashes {
            XCTAssertTrue(Bcrypt.isHash(hash))
            XCTAssertTrue(Bcrypt.verify(password: password, hash: hash), hash)
            XCTAssertFalse(Bcrypt.verify(password: password + "x", hash: hash), hash)
            XCTAssertFalse(Bcrypt.verify(password: hash, hash: hash), "the hash itself is not the password")
        }
    }

    func testPythonHashesVerify() {
        for (password, hash) in Self.pythonHashes {
            XCTAssertTrue(Bcrypt.verify(password: password, hash: hash), hash)
            XCTAssertFalse(Bcrypt.verify(password: "s3cr3t passwörd", hash: hash))
        }
    }

    func testDetectionFollowsNatsServer() {
        for hash in ["$2a$11$abc", "$2b$04$x", "$2x$10$y", "$2y$31$z"] {
            XCTAssertTrue(Bcrypt.isHash(hash), hash)
        }
        for plain in ["", "password", "$2a$", "$2c$10$abc", "$2a$1$abc", "$2a$1x$abc", "$1$abc$def", " $2a$10$abc", "$2a10$abc"] {
            XCTAssertFalse(Bcrypt.isHash(plain), plain)
        }
    }

    func testMalformedHashesAndPasswordsFail() {
        let hash = Self.goHashes[2].hash
        XCTAssertFalse(Bcrypt.verify(password: "test", hash: String(hash.dropLast())))
        XCTAssertFalse(Bcrypt.verify(password: "test", hash: hash + "x"))
        XCTAssertFalse(Bcrypt.verify(password: "test", hash: "$2a$05$short"))
        XCTAssertFalse(Bcrypt.verify(password: "test", hash: "test"), "plain text is never a bcrypt match")
        XCTAssertFalse(Bcrypt.verify(password: "test\u{0}more", hash: hash), "NUL bytes are refused")
    }

    func testHashThenVerify() throws {
        let hash = try XCTUnwrap(Bcrypt.hash(password: "correct horse", cost: 4))
        XCTAssertTrue(hash.hasPrefix("$2b$04$"))
        XCTAssertEqual(hash.count, 60)
        XCTAssertTrue(Bcrypt.verify(password: "correct horse", hash: hash))
        XCTAssertFalse(Bcrypt.verify(password: "correct horsf", hash: hash))
        XCTAssertNotEqual(Bcrypt.hash(password: "correct horse", cost: 4), hash, "salts are random")
    }
}
