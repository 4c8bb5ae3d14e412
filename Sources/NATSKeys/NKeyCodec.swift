/// The NKey text form: base32 of lead byte(s) + key bytes + CRC16 (little endian).
///
/// A public key is one prefix byte and 32 key bytes (56 characters). A seed packs `S` and the
/// role into two bytes so that both letters print (`SU…`, `SA…`), then the 32-byte Ed25519
/// seed (58 characters).
public enum NKeyCodec {
    /// Length of an Ed25519 public key and of a seed, in bytes.
    public static let keyLength = 32

    /// Encodes `key` under `prefix` (any prefix but `seed`; use `encodeSeed` for seeds).
    public static func encode(_ prefix: NKeyPrefix, _ key: some Collection<UInt8>) throws(NKeyError) -> String {
        guard prefix != .seed else { throw .invalidPrefix }
        return checksummed([prefix.rawValue] + Array(key))
    }

    /// Encodes a 32-byte seed of the public role `role` (`S` + role letter).
    public static func encodeSeed(_ role: NKeyPrefix, _ seed: some Collection<UInt8>) throws(NKeyError) -> String {
        guard role.isPublicRole else { throw .invalidPrefix }
        guard seed.count == keyLength else { throw .invalidKeyLength }
        let first = NKeyPrefix.seed.rawValue | role.rawValue >> 5
        let second = (role.rawValue & 31) << 3
        return checksummed([first, second] + Array(seed))
    }

    /// Decodes a public key: its role and its 32 bytes.
    public static func decodePublic(_ text: some StringProtocol) throws(NKeyError) -> (NKeyPrefix, [UInt8]) {
        let raw = try verified(text)
        guard let prefix = NKeyPrefix(rawValue: raw[0]), prefix.isPublicRole else { throw .invalidPrefix }
        guard raw.count == 1 + keyLength else { throw .invalidKeyLength }
        return (prefix, Array(raw[1...]))
    }

    /// Decodes a public key that must have the role `expected`.
    public static func decodePublic(_ text: some StringProtocol, expecting expected: NKeyPrefix) throws(NKeyError) -> [UInt8] {
        let (prefix, key) = try decodePublic(text)
        guard prefix == expected else { throw .invalidPrefix }
        return key
    }

    /// Decodes a seed: the role of its key pair and the 32-byte Ed25519 (or curve) seed.
    public static func decodeSeed(_ text: some StringProtocol) throws(NKeyError) -> (NKeyPrefix, [UInt8]) {
        let raw = try verified(text)
        guard raw.count >= 2, raw[0] & 0b1111_1000 == NKeyPrefix.seed.rawValue else { throw .invalidSeed }
        let roleByte = (raw[0] & 0b0000_0111) << 5 | (raw[1] & 0b1111_1000) >> 3
        guard let role = NKeyPrefix(rawValue: roleByte), role.isPublicRole else { throw .invalidSeed }
        guard raw.count == 2 + keyLength else { throw .invalidKeyLength }
        return (role, Array(raw[2...]))
    }

    /// The decoded bytes without the checksum, once the checksum has been verified.
    private static func verified(_ text: some StringProtocol) throws(NKeyError) -> [UInt8] {
        guard let raw = Base32.decode(text) else { throw .invalidEncoding }
        guard raw.count >= 4 else { throw .invalidEncoding }
        let body = raw[..<(raw.count - 2)]
        let stored = UInt16(raw[raw.count - 2]) | UInt16(raw[raw.count - 1]) << 8
        guard CRC16.checksum(body) == stored else { throw .invalidChecksum }
        return Array(body)
    }

    private static func checksummed(_ body: [UInt8]) -> String {
        let crc = CRC16.checksum(body)
        return Base32.encode(body + [UInt8(truncatingIfNeeded: crc), UInt8(truncatingIfNeeded: crc >> 8)])
    }
}
