import Foundation
import NATSKeys
import XCTest

final class CredentialsTests: XCTestCase {
    func testNKeysDecoratedCreds() throws {
        for text in [Vectors.nkeysDecoratedCreds, Vectors.nkeysDecoratedCreds.replacingOccurrences(of: "\n", with: "\r\n")] {
            let creds = try Credentials(parsing: text)
            XCTAssertEqual(creds.jwt, Vectors.nkeysCredsJWT)
            XCTAssertEqual(creds.keyPair.seed, Vectors.nkeysCredsSeed)
            XCTAssertEqual(try Credentials.parseUserSeed(text).seed, Vectors.nkeysCredsSeed)
        }
    }

    func testNscCredsWithoutFinalNewline() throws {
        let creds = try Credentials(parsing: Vectors.oneCreds)
        XCTAssertTrue(creds.jwt.hasPrefix("eyJ0eXAiOiJKV1Qi"))
        XCTAssertEqual(creds.keyPair.publicKeyString, "UDCIBGGGHCJBQPOO4SCJJBHZDR37NQGGCIWMNG2DDAKJ6WMKBMAKXIMO")
    }

    func testLenientMarkersAndBlanks() throws {
        let text = """

              ---BEGIN JWT---
              \(Vectors.nkeysCredsJWT)
            ------END------
            ---BEGIN SEED---
            \(Vectors.nkeysCredsSeed)\t
            ---------END---------
            """
        let creds = try Credentials(parsing: text)
        XCTAssertEqual(creds.jwt, Vectors.nkeysCredsJWT)
        XCTAssertEqual(creds.keyPair.seed, Vectors.nkeysCredsSeed)
    }

    func testUndecoratedContent() throws {
        XCTAssertEqual(Credentials.parseJWT("  foo \n"), "foo", "no blocks: the text is the JWT, as nkeys")
        let seedFile = "# my seed\n  \(Vectors.nkeysCredsSeed)  \n"
        XCTAssertEqual(try Credentials.parseSeed(seedFile).seed, Vectors.nkeysCredsSeed)
        // A JWT block alone, the seed on a plain line.
        let mixed = "-----BEGIN NATS USER JWT-----\n\(Vectors.nkeysCredsJWT)\n------END NATS USER JWT------\n\(Vectors.nkeysCredsSeed)\n"
        let creds = try Credentials(parsing: mixed)
        XCTAssertEqual(creds.jwt, Vectors.nkeysCredsJWT)
        XCTAssertEqual(creds.keyPair.seed, Vectors.nkeysCredsSeed)
    }

    func testSeedProblems() {
        XCTAssertThrowsError(try Credentials.parseSeed("foo")) { XCTAssertEqual($0 as? CredentialsError, .noSeedFound) }
        let serverSeed = (try? KeyPair.generate(.server).seed) ?? ""
        let decorated = "---A---\nJWT\n---A---\n---B---\n\(serverSeed)\n---B---\n"
        XCTAssertThrowsError(try Credentials.parseSeed(decorated)) { XCTAssertEqual($0 as? CredentialsError, .notASeed) }
        let accountSeed = Vectors.pythonAccountSeed
        XCTAssertNoThrow(try Credentials.parseSeed("---A---\nJWT\n---A---\n---B---\n\(accountSeed)\n---B---\n"))
        XCTAssertThrowsError(try Credentials.parseUserSeed("---A---\nJWT\n---A---\n---B---\n\(accountSeed)\n---B---\n")) {
            XCTAssertEqual($0 as? CredentialsError, .notAUserSeed)
        }
        let corrupt = String(Vectors.nkeysCredsSeed.dropLast()) + "A"
        XCTAssertThrowsError(try Credentials.parseSeed("SEED:\n\(corrupt)\n")) {
            XCTAssertEqual($0 as? CredentialsError, .invalidSeed(.invalidChecksum))
        }
    }

    func testFormatThenParseAndFile() throws {
        let account = try KeyPair.generate(.account)
        let user = try KeyPair.generate(.user)
        let jwt = try UserClaims(subject: user.publicKeyString).encode(signer: account)
        let text = Credentials.format(jwt: jwt, seed: user.seed)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("starling-\(UUID()).creds").path
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let creds = try Credentials(contentsOfFile: path)
        XCTAssertEqual(creds.jwt, jwt)
        XCTAssertEqual(creds.keyPair.publicKey, user.publicKey)
        XCTAssertThrowsError(try Credentials(contentsOfFile: path + ".missing"))
    }
}
