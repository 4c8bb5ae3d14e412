import Foundation

/// Generates server ids in nats-server's shape: 56 upper-case base32 characters starting with `N`.
enum ServerIdentity {
    static func newServerID() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var generator = SystemRandomNumberGenerator()
        return "N" + String((0..<55).map { _ in alphabet[Int(generator.next() % 32)] })
    }

    /// An NKey nonce as nats-server makes it: 11 random bytes, base64url without padding.
    static func nonce() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<11).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A random alphanumeric token (for nonces and inbox prefixes).
    static func randomToken(length: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }
}
