/// Why an NKey string, seed or key pair was refused.
public enum NKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is not base32 (RFC 4648 alphabet, upper case, no padding).
    case invalidEncoding
    /// The CRC16 checksum at the end of the decoded bytes does not match.
    case invalidChecksum
    /// The lead byte is not a known prefix, or not the one that was expected.
    case invalidPrefix
    /// The key is not 32 bytes long.
    case invalidKeyLength
    /// The text decodes, but not to a seed (`S` + a public role).
    case invalidSeed
    /// Curve (xkey) seeds are not signing keys; they are handled separately.
    case curveKeyNotSupported

    /// A message in the words nkeys uses.
    public var description: String {
        switch self {
        case .invalidEncoding: "nkeys: invalid encoded key"
        case .invalidChecksum: "nkeys: invalid checksum"
        case .invalidPrefix: "nkeys: invalid prefix byte"
        case .invalidKeyLength: "nkeys: invalid key length"
        case .invalidSeed: "nkeys: invalid seed"
        case .curveKeyNotSupported: "nkeys: curve key is not valid for sign/verify"
        }
    }
}
