/// Base64 in the two flavours NATS uses: URL-safe without padding (JWT segments, nonces,
/// signatures) and standard with padding (the fallback nats-server accepts for signatures).
public enum Base64 {
    /// Which 64-character alphabet, and whether `=` padding is part of the text.
    public enum Variant: Sendable {
        /// `A–Z a–z 0–9 - _`, no padding (Go's `base64.RawURLEncoding`).
        case rawURL
        /// `A–Z a–z 0–9 + /`, padded with `=` to a multiple of four (Go's `base64.StdEncoding`).
        case standard
    }

    private static let standardAlphabet = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlAlphabet = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// `bytes` encoded in `variant`.
    public static func encode(_ bytes: some Collection<UInt8>, _ variant: Variant = .rawURL) -> String {
        let alphabet = variant == .rawURL ? urlAlphabet : standardAlphabet
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let b0 = iterator.next() {
            let b1 = iterator.next()
            let b2 = iterator.next()
            let group = UInt32(b0) << 16 | UInt32(b1 ?? 0) << 8 | UInt32(b2 ?? 0)
            out.append(alphabet[Int(group >> 18 & 63)])
            out.append(alphabet[Int(group >> 12 & 63)])
            if b1 != nil { out.append(alphabet[Int(group >> 6 & 63)]) }
            if b2 != nil { out.append(alphabet[Int(group & 63)]) }
            if variant == .standard {
                if b1 == nil { out.append(UInt8(ascii: "=")) }
                if b2 == nil { out.append(UInt8(ascii: "=")) }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of `text` in `variant`, or nil when it is not valid in that variant.
    ///
    /// As Go's decoder does, carriage returns and line feeds are skipped and leftover bits
    /// below a byte are ignored; characters of the other alphabet are refused.
    public static func decode(_ text: some StringProtocol, _ variant: Variant = .rawURL) -> [UInt8]? {
        var symbols: [UInt8] = []
        symbols.reserveCapacity(text.utf8.count)
        for char in text.utf8 where char != UInt8(ascii: "\r") && char != UInt8(ascii: "\n") {
            symbols.append(char)
        }
        var padding = 0
        if variant == .standard {
            guard symbols.count % 4 == 0 else { return nil }
            while padding < 2, symbols.last == UInt8(ascii: "=") {
                symbols.removeLast()
                padding += 1
            }
        }
        let remainder = symbols.count % 4
        guard remainder != 1 else { return nil }
        if variant == .standard, padding != (4 - remainder) % 4 { return nil }

        var out: [UInt8] = []
        out.reserveCapacity(symbols.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for char in symbols {
            guard let value = sextet(char, variant) else { return nil }
            buffer = (buffer << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return out
    }

    private static func sextet(_ char: UInt8, _ variant: Variant) -> UInt8? {
        switch char {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): char - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): char - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-") where variant == .rawURL: 62
        case UInt8(ascii: "_") where variant == .rawURL: 63
        case UInt8(ascii: "+") where variant == .standard: 62
        case UInt8(ascii: "/") where variant == .standard: 63
        default: nil
        }
    }
}
