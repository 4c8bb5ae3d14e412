import Foundation

/// The nonce challenge of NKey and JWT logins, checked as nats-server checks it.
public enum NKeyAuth {
    /// Whether `signature` (the CONNECT `sig`) is `publicKey`'s Ed25519 signature of the nonce
    /// text's bytes (the 15 characters sent in INFO, not their base64 decoding).
    ///
    /// `signature` is raw URL-safe base64; standard padded base64 is accepted as a fallback,
    /// as nats-server does. `publicKey` may be of any signing role.
    public static func verify(nonce: String, signature: String, publicKey: String) -> Bool {
        guard !signature.isEmpty, let key = try? NKeyPublicKey(string: publicKey) else { return false }
        guard let raw = decodeSignature(signature) else { return false }
        return key.verify(Array(nonce.utf8), signature: raw)
    }

    /// The signature bytes of a CONNECT `sig`: raw URL-safe base64, else standard base64.
    public static func decodeSignature(_ signature: String) -> [UInt8]? {
        Base64.decode(signature, .rawURL) ?? Base64.decode(signature, .standard)
    }

    /// A CONNECT `sig` for `nonce` made with `keyPair`, as clients send it (raw URL-safe base64).
    public static func sign(nonce: String, with keyPair: KeyPair) throws -> String {
        Base64.encode(try keyPair.sign(Array(nonce.utf8)), .rawURL)
    }
}
