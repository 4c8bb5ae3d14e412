/// Validity checks on encoded public keys, named as in nkeys (`IsValidPublicUserKey`, …).
/// Each decodes the text and checks its checksum, role and length.
public enum NKeys {
    /// Whether `text` is a valid public key of any role.
    public static func isValidPublicKey(_ text: String) -> Bool {
        (try? NKeyPublicKey(string: text)) != nil
    }

    /// Whether `text` is a valid public key of the role `role`.
    public static func isValidPublicKey(_ text: String, role: NKeyPrefix) -> Bool {
        (try? NKeyPublicKey(string: text, expecting: role)) != nil
    }

    /// Whether `text` is a valid user public key (`U…`).
    public static func isValidPublicUserKey(_ text: String) -> Bool { isValidPublicKey(text, role: .user) }
    /// Whether `text` is a valid account public key (`A…`).
    public static func isValidPublicAccountKey(_ text: String) -> Bool { isValidPublicKey(text, role: .account) }
    /// Whether `text` is a valid operator public key (`O…`).
    public static func isValidPublicOperatorKey(_ text: String) -> Bool { isValidPublicKey(text, role: .operator) }
    /// Whether `text` is a valid server public key (`N…`).
    public static func isValidPublicServerKey(_ text: String) -> Bool { isValidPublicKey(text, role: .server) }
    /// Whether `text` is a valid cluster public key (`C…`).
    public static func isValidPublicClusterKey(_ text: String) -> Bool { isValidPublicKey(text, role: .cluster) }
    /// Whether `text` is a valid curve (xkey) public key (`X…`).
    public static func isValidPublicCurveKey(_ text: String) -> Bool { isValidPublicKey(text, role: .curve) }

    /// Whether `text` is a valid encoded seed of any role.
    public static func isValidSeed(_ text: String) -> Bool {
        (try? NKeyCodec.decodeSeed(text)) != nil
    }
}
