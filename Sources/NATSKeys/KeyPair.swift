import Crypto
import Foundation

/// An Ed25519 NKey pair of one role, made from its seed (`SU…`, `SA…`, `SO…`, `SN…`, `SC…`):
/// it signs, verifies, and tells its public key and seed.
public struct KeyPair: Sendable {
    /// The role of the public key (`user`, `account`, …).
    public let role: NKeyPrefix
    /// The encoded seed. It is the secret: never log it.
    public let seed: String
    /// The public key that goes with the seed.
    public let publicKey: NKeyPublicKey
    private let signingKey: Curve25519.Signing.PrivateKey

    /// A key pair from an encoded seed. Curve seeds (`SX…`) are refused with
    /// `curveKeyNotSupported`: they do not sign.
    public init(seed: String) throws(NKeyError) {
        let (role, raw) = try NKeyCodec.decodeSeed(seed)
        try self.init(role: role, rawSeed: raw)
    }

    /// A key pair from a raw 32-byte Ed25519 seed for the public role `role`.
    public init(role: NKeyPrefix, rawSeed: some Collection<UInt8>) throws(NKeyError) {
        guard role.isPublicRole else { throw .invalidPrefix }
        guard role.isSigningRole else { throw .curveKeyNotSupported }
        let raw = Array(rawSeed)
        guard raw.count == NKeyCodec.keyLength,
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw .invalidKeyLength }
        self.role = role
        self.seed = try NKeyCodec.encodeSeed(role, raw)
        self.signingKey = key
        self.publicKey = try NKeyPublicKey(role: role, bytes: Array(key.publicKey.rawRepresentation))
    }

    /// A new key pair of `role` from the system's secure random source (for server identities,
    /// per-attempt auth-callout users, tests). `role` must be a signing role.
    public static func generate(_ role: NKeyPrefix) throws(NKeyError) -> KeyPair {
        let key = Curve25519.Signing.PrivateKey()
        return try KeyPair(role: role, rawSeed: Array(key.rawRepresentation))
    }

    /// The encoded public key (`U…`, `A…`, …).
    public var publicKeyString: String { publicKey.string }

    /// The encoded private key (`P…`: the 64-byte Ed25519 private key, seed then public key),
    /// as nkeys prints it. A secret: never log it.
    public var privateKeyString: String {
        // A `.private` prefix with any bytes always encodes.
        (try? NKeyCodec.encode(.private, Array(signingKey.rawRepresentation) + publicKey.bytes)) ?? ""
    }

    /// The 64-byte Ed25519 signature of `data`.
    public func sign(_ data: some DataProtocol) throws -> [UInt8] {
        Array(try signingKey.signature(for: data))
    }

    /// Whether `signature` is this pair's signature of `data`.
    public func verify(_ data: some DataProtocol, signature: some DataProtocol) -> Bool {
        publicKey.verify(data, signature: signature)
    }
}
