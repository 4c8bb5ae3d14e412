import XCTest

@testable import NATSKeys

final class NKeyCodecTests: XCTestCase {
    func testCRC16IsXModem() {
        // The XMODEM check value of "123456789".
        XCTAssertEqual(CRC16.checksum(Array("123456789".utf8)), 0x31C3)
        XCTAssertEqual(CRC16.checksum([]), 0)
    }

    func testBase32RFC4648Vectors() {
        let vectors = [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"),
                       ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI")]
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base32.encode(Array(plain.utf8)), encoded)
            XCTAssertEqual(Base32.decode(encoded), Array(plain.utf8))
        }
        XCTAssertNil(Base32.decode("mzxw6"), "lower case is not the alphabet")
        XCTAssertNil(Base32.decode("MZXW6==="), "no padding")
        XCTAssertNil(Base32.decode("MZXW61"), "1 is not in the alphabet")
        XCTAssertNil(Base32.decode("M"), "impossible length")
    }

    func testBase64Variants() {
        let vectors = [("", "", ""), ("f", "Zg", "Zg=="), ("fo", "Zm8", "Zm8="), ("foo", "Zm9v", "Zm9v"),
                       ("foobar", "Zm9vYmFy", "Zm9vYmFy")]
        for (plain, raw, padded) in vectors {
            XCTAssertEqual(Base64.encode(Array(plain.utf8), .rawURL), raw)
            XCTAssertEqual(Base64.encode(Array(plain.utf8), .standard), padded)
            XCTAssertEqual(Base64.decode(raw, .rawURL), Array(plain.utf8))
            XCTAssertEqual(Base64.decode(padded, .standard), Array(plain.utf8))
        }
        XCTAssertEqual(Base64.encode([0xfb, 0xff], .rawURL), "-_8")
        XCTAssertEqual(Base64.encode([0xfb, 0xff], .standard), "+/8=")
        XCTAssertNil(Base64.decode("Zg==", .rawURL), "raw URL has no padding")
        XCTAssertNil(Base64.decode("Zg", .standard), "standard needs padding")
        XCTAssertNil(Base64.decode("Zg=", .standard))
        XCTAssertNil(Base64.decode("+/8", .rawURL), "other alphabet")
        XCTAssertNil(Base64.decode("-_8=", .standard), "other alphabet")
        XCTAssertNil(Base64.decode("Z", .rawURL), "impossible length")
        XCTAssertEqual(Base64.decode("Zm9v\r\nYmFy", .rawURL), Array("foobar".utf8), "line breaks are skipped, as Go")
    }

    func testKnownSeedsGiveTheirPublicKeys() throws {
        for (seed, publicKey) in Vectors.seedsAndKeys {
            let pair = try KeyPair(seed: seed)
            XCTAssertEqual(pair.publicKeyString, publicKey, seed)
            XCTAssertEqual(pair.seed, seed)
            XCTAssertTrue(NKeys.isValidPublicKey(publicKey))
            XCTAssertTrue(NKeys.isValidSeed(seed))
        }
    }

    func testSeedPackingMatchesPythonNKeys() throws {
        XCTAssertEqual(try NKeyCodec.encodeSeed(.account, Vectors.pythonRawSeed), Vectors.pythonAccountSeed)
        let (role, raw) = try NKeyCodec.decodeSeed(Vectors.pythonAccountSeed)
        XCTAssertEqual(role, .account)
        XCTAssertEqual(raw, Vectors.pythonRawSeed)
        let pair = try KeyPair(role: .account, rawSeed: Vectors.pythonRawSeed)
        XCTAssertEqual(pair.publicKeyString, Vectors.pythonAccountKey)
    }

    func testPrefixLettersOfEveryRole() throws {
        let letters: [(NKeyPrefix, String)] = [(.user, "U"), (.account, "A"), (.operator, "O"), (.server, "N"),
                                              (.cluster, "C"), (.curve, "X")]
        let key = [UInt8](repeating: 7, count: 32)
        for (role, letter) in letters {
            let text = try NKeyCodec.encode(role, key)
            XCTAssertEqual(text.count, 56)
            XCTAssertTrue(text.hasPrefix(letter), "\(role) → \(text)")
            XCTAssertTrue(try NKeyCodec.encodeSeed(role, key).hasPrefix("S" + letter))
            let parsed = try NKeyPublicKey(string: text)
            XCTAssertEqual(parsed.role, role)
            XCTAssertEqual(parsed.bytes, key)
        }
        XCTAssertTrue(try NKeyCodec.encode(.private, key).hasPrefix("P"))
    }

    func testRoleSpecificValidation() {
        let user = "UCNGL4W5QX66CFX6A6DCBVDH5VOHMI7B2UZZU7TXAUQQSI2JPHULCKBR"
        let account = "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
        let operatorKey = "OCAT33MTVU2VUOIMGNGUNXJ66AH2RLSDAF3MUBCYAY5QMIL65NQM6XQG"
        XCTAssertTrue(NKeys.isValidPublicUserKey(user))
        XCTAssertFalse(NKeys.isValidPublicUserKey(account))
        XCTAssertTrue(NKeys.isValidPublicAccountKey(account))
        XCTAssertFalse(NKeys.isValidPublicAccountKey(operatorKey))
        XCTAssertTrue(NKeys.isValidPublicOperatorKey(operatorKey))
        XCTAssertFalse(NKeys.isValidPublicServerKey(user))
        XCTAssertFalse(NKeys.isValidPublicClusterKey(user))
        XCTAssertFalse(NKeys.isValidPublicCurveKey(user))
        XCTAssertThrowsError(try NKeyPublicKey(string: user, expecting: .account)) { error in
            XCTAssertEqual(error as? NKeyError, .invalidPrefix)
        }
    }

    func testCorruptedKeysAreRefusedWithTheirReason() {
        let good = "UCNGL4W5QX66CFX6A6DCBVDH5VOHMI7B2UZZU7TXAUQQSI2JPHULCKBR"
        func reason(_ text: String) -> NKeyError? {
            do {
                _ = try NKeyPublicKey(string: text)
                return nil
            } catch {
                return error
            }
        }
        XCTAssertNil(reason(good))
        // One character changed: the checksum no longer matches.
        var chars = Array(good)
        chars[10] = chars[10] == "A" ? "B" : "A"
        XCTAssertEqual(reason(String(chars)), .invalidChecksum)
        // The checksum bytes themselves corrupted.
        XCTAssertEqual(reason(String(good.dropLast()) + (good.last == "R" ? "S" : "R")), .invalidChecksum)
        // Not base32.
        XCTAssertEqual(reason(good.lowercased()), .invalidEncoding)
        XCTAssertEqual(reason("U1" + good.dropFirst(2)), .invalidEncoding)
        XCTAssertEqual(reason(""), .invalidEncoding)
        // A seed is not a public key; neither is a private key.
        XCTAssertEqual(reason(Vectors.seedsAndKeys[0].seed), .invalidPrefix)
        // An unknown lead byte (22 << 3 encodes to 'W'), with a correct checksum.
        let unknown = Base32.encode(checksummedBody([22 << 3] + [UInt8](repeating: 1, count: 32)))
        XCTAssertEqual(reason(unknown), .invalidPrefix)
        // Right prefix and checksum, wrong length.
        let short = Base32.encode(checksummedBody([NKeyPrefix.user.rawValue] + [UInt8](repeating: 1, count: 31)))
        XCTAssertEqual(reason(short), .invalidKeyLength)
    }

    func testCorruptedSeedsAreRefused() {
        let seed = Vectors.seedsAndKeys[0].seed
        var chars = Array(seed)
        chars[20] = chars[20] == "A" ? "B" : "A"
        XCTAssertThrowsError(try KeyPair(seed: String(chars))) { XCTAssertEqual($0 as? NKeyError, .invalidChecksum) }
        XCTAssertThrowsError(try KeyPair(seed: Vectors.seedsAndKeys[0].publicKey)) {
            XCTAssertEqual($0 as? NKeyError, .invalidSeed)
        }
        XCTAssertThrowsError(try KeyPair(seed: " " + seed)) { XCTAssertEqual($0 as? NKeyError, .invalidEncoding) }
        // Seeds of curve keys are valid seeds but do not sign.
        let curveSeed = try? NKeyCodec.encodeSeed(.curve, [UInt8](repeating: 3, count: 32))
        XCTAssertThrowsError(try KeyPair(seed: curveSeed ?? "")) {
            XCTAssertEqual($0 as? NKeyError, .curveKeyNotSupported)
        }
        XCTAssertThrowsError(try KeyPair.generate(.seed)) { XCTAssertEqual($0 as? NKeyError, .invalidPrefix) }
    }

    func testGeneratedPairsRoundTrip() throws {
        for role in [NKeyPrefix.user, .account, .operator, .server, .cluster] {
            let pair = try KeyPair.generate(role)
            XCTAssertEqual(pair.role, role)
            XCTAssertTrue(NKeys.isValidPublicKey(pair.publicKeyString, role: role))
            let again = try KeyPair(seed: pair.seed)
            XCTAssertEqual(again.publicKey, pair.publicKey)
            let message = Array("hello \(role)".utf8)
            let signature = try pair.sign(message)
            XCTAssertEqual(signature.count, 64)
            XCTAssertTrue(again.verify(message, signature: signature))
            XCTAssertTrue(pair.publicKey.verify(message, signature: signature))
            XCTAssertFalse(pair.verify(message + [0], signature: signature))
            XCTAssertTrue(pair.privateKeyString.hasPrefix("P"))
        }
        XCTAssertNotEqual(try KeyPair.generate(.user).seed, try KeyPair.generate(.user).seed)
    }

    func testSignaturesAreTiedToTheKey() throws {
        let first = try KeyPair(seed: Vectors.seedsAndKeys[0].seed)
        let second = try KeyPair(seed: Vectors.seedsAndKeys[2].seed)
        let message = Array("payload".utf8)
        let signature = try first.sign(message)
        XCTAssertFalse(second.verify(message, signature: signature))
        XCTAssertTrue(NKeys.verify(message, signature: signature, publicKey: first.publicKeyString))
        XCTAssertFalse(NKeys.verify(message, signature: signature, publicKey: second.publicKeyString))
        XCTAssertFalse(NKeys.verify(message, signature: signature, publicKey: first.seed))
        var flipped = signature
        flipped[5] ^= 0x01
        XCTAssertFalse(first.verify(message, signature: flipped))
        XCTAssertFalse(first.verify(message, signature: Array(signature.prefix(63))))
        // A curve key never verifies a signature, even with matching bytes.
        let curve = try NKeyPublicKey(role: .curve, bytes: first.publicKey.bytes)
        XCTAssertFalse(curve.verify(message, signature: signature))
    }

    private func checksummedBody(_ body: [UInt8]) -> [UInt8] {
        let crc = CRC16.checksum(body)
        return body + [UInt8(crc & 0xff), UInt8(crc >> 8)]
    }
}
