/// Subject syntax as nats-server defines it (server/sublist.go: IsValidSubject, IsValidLiteralSubject).
///
/// Tokens are separated by `.`; `*` as a whole token matches exactly one token; `>` as the last
/// whole token matches one or more tokens. A token such as `foo*` is an ordinary literal.
public enum Subject {
    /// Whether `subject` is valid for a subscription: non-empty tokens, no whitespace, `>` only last.
    public static func isValid(_ subject: some Collection<UInt8>) -> Bool {
        var tokenLength = 0
        var tokenIsFullWildcard = false
        for byte in subject {
            switch byte {
            case UInt8(ascii: "."):
                if tokenLength == 0 || tokenIsFullWildcard { return false }
                tokenLength = 0
            case 0x20, 0x09, 0x0A, 0x0C, 0x0D:
                return false
            default:
                tokenLength += 1
                tokenIsFullWildcard = tokenLength == 1 && byte == UInt8(ascii: ">")
            }
        }
        return tokenLength > 0
    }

    /// Whether `subject` is valid and has no wildcard tokens (a publish subject).
    public static func isValidLiteral(_ subject: some Collection<UInt8>) -> Bool {
        guard isValid(subject) else { return false }
        return !hasWildcard(subject)
    }

    /// Whether any whole token of `subject` is `*` or `>`.
    public static func hasWildcard(_ subject: some Collection<UInt8>) -> Bool {
        var tokenLength = 0
        var first: UInt8 = 0
        for byte in subject {
            if byte == UInt8(ascii: ".") {
                if tokenLength == 1 && (first == UInt8(ascii: "*") || first == UInt8(ascii: ">")) { return true }
                tokenLength = 0
            } else {
                if tokenLength == 0 { first = byte }
                tokenLength += 1
            }
        }
        return tokenLength == 1 && (first == UInt8(ascii: "*") || first == UInt8(ascii: ">"))
    }

    /// Whether the literal subject `subject` is matched by the (possibly wildcard) `pattern`.
    public static func matches(literal subject: String, pattern: String) -> Bool {
        var subjectTokens = subject.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)[...]
        for token in pattern.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            if token.count == 1 && token.first == UInt8(ascii: ">") { return !subjectTokens.isEmpty }
            guard let next = subjectTokens.popFirst() else { return false }
            if token.count == 1 && token.first == UInt8(ascii: "*") { continue }
            if !token.elementsEqual(next) { return false }
        }
        return subjectTokens.isEmpty
    }

    /// Splits a subject into its tokens.
    public static func tokens(_ subject: String) -> [Substring] {
        subject.split(separator: ".", omittingEmptySubsequences: false)
    }
}
