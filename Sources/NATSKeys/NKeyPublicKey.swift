import Crypto
import Foundation

/// A validated public NKey (`U…`, `A…`, `O…`, `N…`, `C…` or `X…`): its role, its 32 key bytes
/// and its text. Two keys are equal when their text is.
public struct NKeyPublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The key's role, from its prefix byte.
    public let role: NKeyPrefix
    /// The 32 raw key bytes (an Ed25519 public key, or an x25519 one for `curve`).
    public let bytes: [UInt8]
    /// The encoded text.
    public let string: String

    /// Parses and validates `string`, failing with the reason: `invalidEncoding` (not base32),
    /// `invalidChecksum`, `invalidPrefix` (a seed, a private key or an unknown lead byte) or
    /// `invalidKeyLength`.
    public init(string: String) throws(NKeyError) {
        let (role, bytes) = try NKeyCodec.decodePublic(string)
        self.role = role
        self.bytes = bytes
        self.string = string
    }

    /// Parses `string`, which must also have the role `expected`.
    public init(string: String, expecting expected: NKeyPrefix) throws(NKeyError) {
        try self.init(string: string)
        guard role == expected else { throw .invalidPrefix }
    }

    /// Wraps 32 raw key bytes of the public role `role`.
    public init(role: NKeyPrefix, bytes: [UInt8]) throws(NKeyError) {
        guard role.isPublicRole else { throw .invalidPrefix }
        guard bytes.count == NKeyCodec.keyLength else { throw .invalidKeyLength }
        self.role = role
        self.bytes = bytes
        self.string = try NKeyCodec.encode(role, bytes)
    }

    /// Whether `signature` is this key's Ed25519 signature of `data`. Always false for curve
    /// keys and for signatures that are not 64 bytes.
    public func verify(_ data: some DataProtocol, signature: some DataProtocol) -> Bool {
        guard role.isSigningRole, signature.count == 64,
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes)
        else { return false }
        return key.isValidSignature(signature, for: data)
    }

    /// The encoded text.
    public var description: String { string }

    public static func == (lhs: NKeyPublicKey, rhs: NKeyPublicKey) -> Bool { lhs.string == rhs.string }

    public func hash(into hasher: inout Hasher) { hasher.combine(string) }
}

extension NKeys {
    /// Whether `signature` is the Ed25519 signature of `data` by the public key `publicKey`
    /// (false when `publicKey` is not a valid signing key).
    public static func verify(_ data: some DataProtocol, signature: some DataProtocol, publicKey: String) -> Bool {
        guard let key = try? NKeyPublicKey(string: publicKey) else { return false }
        return key.verify(data, signature: signature)
    }
}
