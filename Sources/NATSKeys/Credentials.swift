import Foundation

/// Why a creds file gave no usable seed.
public enum CredentialsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No decorated block after the JWT and no line starting with `SO`, `SA` or `SU`.
    case noSeedFound
    /// The seed found is not an operator, account or user seed.
    case notASeed
    /// The seed found is not a user seed (`SU…`).
    case notAUserSeed
    /// The seed text does not decode.
    case invalidSeed(NKeyError)
    /// The file could not be read.
    case unreadable(path: String)

    /// A message in the words nkeys uses.
    public var description: String {
        switch self {
        case .noSeedFound: "nkeys: no nkey seed found"
        case .notASeed: "nkeys: doesn't contain a seed nkey"
        case .notAUserSeed: "nkeys: doesn't contain an user seed nkey"
        case .invalidSeed(let error): error.description
        case .unreadable(let path): "cannot read credentials file \(path)"
        }
    }
}

/// A NATS creds file: a user JWT and the seed of the user's key pair, each between dashed
/// `BEGIN`/`END` lines (`-----BEGIN NATS USER JWT-----` … `------END NATS USER JWT------`).
///
/// Parsing follows nkeys (`ParseDecoratedJWT`, `ParseDecoratedNKey`), which nats.go uses: a
/// block is a line holding two runs of three or more dashes, one line of token characters, and
/// another such dashed line; the words and the number of dashes do not matter. The first block
/// is the JWT, the second the seed. Without blocks the whole text is the JWT and the seed is the
/// first line starting with `SO`, `SA` or `SU`. CRLF line ends, surrounding blanks and a missing
/// final newline are accepted.
public struct Credentials: Sendable {
    /// The user JWT, undecoded.
    public let jwt: String
    /// The key pair from the seed, which signs the server's nonce.
    public let keyPair: KeyPair

    /// Parses the text of a creds file.
    public init(parsing contents: String) throws(CredentialsError) {
        self.jwt = Self.parseJWT(contents)
        self.keyPair = try Self.parseSeed(contents)
    }

    /// Reads and parses the creds file at `path`.
    public init(contentsOfFile path: String) throws(CredentialsError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path: path) }
        try self.init(parsing: String(decoding: data, as: UTF8.self))
    }

    /// The JWT of a creds file: its first decorated block, else the whole text trimmed.
    public static func parseJWT(_ contents: String) -> String {
        decoratedBlocks(contents).first ?? contents.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The key pair of a creds (or seed) file: its second decorated block, else its first line
    /// starting with `SO`, `SA` or `SU`. The seed must be an operator, account or user seed.
    public static func parseSeed(_ contents: String) throws(CredentialsError) -> KeyPair {
        let blocks = decoratedBlocks(contents)
        let seed: String
        if blocks.count > 1 {
            seed = blocks[1]
        } else if let line = lines(contents).lazy.map(trimmed).first(where: isSeedText) {
            seed = line
        } else {
            throw .noSeedFound
        }
        guard isSeedText(seed) else { throw .notASeed }
        do {
            return try KeyPair(seed: seed)
        } catch {
            throw .invalidSeed(error)
        }
    }

    /// Like `parseSeed`, but only a user seed (`SU…`) is accepted.
    public static func parseUserSeed(_ contents: String) throws(CredentialsError) -> KeyPair {
        let pair = try parseSeed(contents)
        guard pair.role == .user else { throw .notAUserSeed }
        return pair
    }

    /// A creds file for `jwt` and `seed`, laid out as `nsc` and nats-io/jwt write it.
    public static func format(jwt: String, seed: String) -> String {
        """
        -----BEGIN NATS USER JWT-----
        \(jwt)
        ------END NATS USER JWT------

        ************************* IMPORTANT *************************
        NKEY Seed printed below can be used to sign and prove identity.
        NKEYs are sensitive and should be treated as secrets.

        -----BEGIN USER NKEY SEED-----
        \(seed)
        ------END USER NKEY SEED------

        *************************************************************

        """
    }

    /// The token of each decorated block, in order.
    static func decoratedBlocks(_ contents: String) -> [String] {
        let all = lines(contents)
        var tokens: [String] = []
        var index = 0
        while index + 2 < all.count {
            let token = trimmed(all[index + 1])
            if isMarker(all[index]), isToken(token), isMarker(all[index + 2]) {
                tokens.append(token)
                index += 3
            } else {
                index += 1
            }
        }
        return tokens
    }

    private static func lines(_ contents: String) -> [Substring] {
        // "\r\n" is one Character in Swift, so both line ends are named.
        contents.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
    }

    private static func trimmed(_ line: Substring) -> String {
        line.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A line holding a run of at least three dashes and, after it, another.
    private static func isMarker(_ line: Substring) -> Bool {
        guard let first = line.firstRange(of: "---") else { return false }
        return line[first.upperBound...].contains("---")
    }

    /// Letters, digits, `_`, `-`, `.` and `=` only (Go's `[\w\-.=]+`).
    private static func isToken(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { char in
                switch char {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"),
                    UInt8(ascii: "."), UInt8(ascii: "="):
                    true
                default: false
                }
            }
    }

    private static func isSeedText(_ text: String) -> Bool {
        text.hasPrefix("SO") || text.hasPrefix("SA") || text.hasPrefix("SU")
    }
}
