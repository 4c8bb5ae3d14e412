import NATSKeys
import XCTest

final class NonceSignatureTests: XCTestCase {
    func testPythonSignedNonceVerifies() {
        XCTAssertTrue(NKeyAuth.verify(nonce: Vectors.nonce, signature: Vectors.nonceSignatureRawURL,
                                      publicKey: Vectors.nonceUserKey))
    }

    func testStandardBase64IsAcceptedToo() {
        XCTAssertTrue(NKeyAuth.verify(nonce: Vectors.nonce, signature: Vectors.nonceSignatureStandard,
                                      publicKey: Vectors.nonceUserKey))
    }

    func testOurSignatureEqualsPythons() throws {
        // Ed25519 (RFC 8032) is deterministic: the same seed and nonce give the same bytes.
        let pair = try KeyPair(seed: Vectors.nonceUserSeed)
        XCTAssertEqual(try NKeyAuth.sign(nonce: Vectors.nonce, with: pair), Vectors.nonceSignatureRawURL)
    }

    func testWrongNonceKeyOrSignatureFails() throws {
        let key = Vectors.nonceUserKey
        let sig = Vectors.nonceSignatureRawURL
        XCTAssertFalse(NKeyAuth.verify(nonce: "Kp3nZx8QmVb2LwU", signature: sig, publicKey: key))
        XCTAssertFalse(NKeyAuth.verify(nonce: Vectors.nonce, signature: sig,
                                       publicKey: "UCNGL4W5QX66CFX6A6DCBVDH5VOHMI7B2UZZU7TXAUQQSI2JPHULCKBR"))
        XCTAssertFalse(NKeyAuth.verify(nonce: Vectors.nonce, signature: "", publicKey: key))
        XCTAssertFalse(NKeyAuth.verify(nonce: Vectors.nonce, signature: "not base64!", publicKey: key))
        XCTAssertFalse(NKeyAuth.verify(nonce: Vectors.nonce, signature: String(sig.dropLast(2)), publicKey: key))
        XCTAssertFalse(NKeyAuth.verify(nonce: Vectors.nonce, signature: sig, publicKey: "UNOTAKEY"))
        // The signature covers the nonce text, not its base64 decoding.
        let pair = try KeyPair(seed: Vectors.nonceUserSeed)
        let overDecoded = Base64.encode(try pair.sign(Base64.decode(Vectors.nonce) ?? []))
        XCTAssertFalse(NKeyAuth.verify(nonce: Vectors.nonce, signature: overDecoded, publicKey: key))
    }

    func testRoundTripWithGeneratedKeys() throws {
        let pair = try KeyPair.generate(.user)
        let nonce = Base64.encode((0..<11).map { _ in UInt8.random(in: 0...255) })
        XCTAssertEqual(nonce.count, 15)
        let sig = try NKeyAuth.sign(nonce: nonce, with: pair)
        XCTAssertTrue(NKeyAuth.verify(nonce: nonce, signature: sig, publicKey: pair.publicKeyString))
    }
}
