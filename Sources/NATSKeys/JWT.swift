import Crypto
import Foundation

/// The header of a NATS JWT.
public struct JWTHeader: Sendable, Equatable, Codable {
    /// `typ`: "JWT" in any case.
    public var type: String
    /// `alg`: "ed25519-nkey" (version 2) or "ed25519" (version 1).
    public var algorithm: String

    enum CodingKeys: String, CodingKey {
        case type = "typ"
        case algorithm = "alg"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decodeIfPresent(String.self, forKey: .type) ?? ""
        algorithm = try container.decodeIfPresent(String.self, forKey: .algorithm) ?? ""
    }
}

/// The claims of a decoded JWT, by kind.
public enum AnyClaims: Sendable, Equatable {
    case user(UserClaims)
    case account(AccountClaims)
    case `operator`(OperatorClaims)
    /// Activations, authorization requests and responses, and unknown kinds.
    case generic(GenericClaims)

    /// `iss`.
    public var issuer: String { field(\.issuer, \.issuer, \.issuer, \.issuer) }
    /// `sub`.
    public var subject: String { field(\.subject, \.subject, \.subject, \.subject) }
    /// `name`.
    public var name: String { field(\.name, \.name, \.name, \.name) }
    /// `iat`.
    public var issuedAt: Int64 { field(\.issuedAt, \.issuedAt, \.issuedAt, \.issuedAt) }
    /// `exp`.
    public var expires: Int64 { field(\.expires, \.expires, \.expires, \.expires) }

    private func field<T>(
        _ user: KeyPath<UserClaims, T>, _ account: KeyPath<AccountClaims, T>,
        _ op: KeyPath<OperatorClaims, T>, _ generic: KeyPath<GenericClaims, T>
    ) -> T {
        switch self {
        case .user(let claims): claims[keyPath: user]
        case .account(let claims): claims[keyPath: account]
        case .operator(let claims): claims[keyPath: op]
        case .generic(let claims): claims[keyPath: generic]
        }
    }
}

/// A JWT whose signature has been verified with its issuer's key.
public struct DecodedJWT: Sendable {
    /// The token as given.
    public let token: String
    /// Its header.
    public let header: JWTHeader
    /// 2 for current JWTs, 1 (or 0) for old ones, whose signature covers the payload alone.
    public let version: Int
    /// The kind as written (`user`, `account`, `activation`, …).
    public let claimType: String
    /// The claims.
    public let claims: AnyClaims
}

/// NATS JWTs (nats-io/jwt v2): decoding with signature verification, and signing.
///
/// Decoding checks what nats-io/jwt's `Decode` checks: three segments, the header, the
/// payload's JSON, the Ed25519 signature by `iss` over "header.payload" (over the payload alone
/// for version 1), and that `iss` has a role allowed to sign that kind. Whether the issuer is
/// trusted, and expiry, are for the caller (`JWTClaims.isExpired`).
public enum JWT {
    /// The largest token accepted, as nats-io/jwt (1 MiB).
    public static let maxTokenSize = 1024 * 1024

    /// The encoded header every JWT made here carries: `{"typ":"JWT","alg":"ed25519-nkey"}`.
    static let headerSegment = Base64.encode(Array(#"{"typ":"JWT","alg":"ed25519-nkey"}"#.utf8))

    /// Decodes and verifies `token`.
    public static func decode(_ token: String) throws(JWTError) -> DecodedJWT {
        guard token.utf8.count <= maxTokenSize else { throw .tooLarge }
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3 else { throw .malformed }

        guard let headerBytes = Base64.decode(segments[0]) else { throw .invalidBase64(segment: "header") }
        let header = try decodeJSON(JWTHeader.self, from: Data(headerBytes))
        guard header.type.uppercased() == "JWT" else {
            throw .unsupportedHeader("not supported type \"\(header.type)\"")
        }
        guard ["ed25519", "ed25519-nkey"].contains(header.algorithm.lowercased()) else {
            throw .unsupportedHeader("unexpected \"\(header.algorithm)\" algorithm")
        }

        guard let payload = Base64.decode(segments[1]) else { throw .invalidBase64(segment: "payload") }
        guard case .object(let fields) = try decodeJSON(JSONValue.self, from: Data(payload)) else {
            throw .invalidJSON("claims are not a JSON object")
        }
        let nats = fields["nats"]?.objectValue ?? [:]
        let legacyType = fields["type"]?.stringValue ?? ""
        let version: Int
        if !legacyType.isEmpty {
            version = 1
        } else if case .int(let value) = nats["version"] {
            version = Int(clamping: value)
        } else {
            version = 0
        }
        guard version <= 2 else { throw .unsupportedVersion(version) }
        let kind = legacyType.isEmpty ? nats["type"]?.stringValue ?? "" : legacyType
        guard kind != "cluster", kind != "server" else { throw .unsupportedClaimType(kind) }

        guard let signature = Base64.decode(segments[2]) else { throw .invalidBase64(segment: "signature") }
        let issuer = fields["iss"]?.stringValue ?? ""
        guard let issuerKey = try? NKeyPublicKey(string: issuer) else { throw .invalidIssuer(issuer) }
        let signed = version <= 1 ? String(segments[1]) : "\(segments[0]).\(segments[1])"
        guard issuerKey.verify(Array(signed.utf8), signature: signature) else { throw .signatureMismatch }
        if let roles = ClaimType(rawValue: kind)?.issuerRoles, !roles.contains(issuerKey.role) {
            throw .issuerRoleNotAllowed(issuer: issuer, claimType: kind)
        }

        let json = legacyType.isEmpty ? Data(payload) : try legacyJSON(fields, type: legacyType)
        let claims: AnyClaims
        switch ClaimType(rawValue: kind) {
        case .user: claims = .user(try decodeClaims(json, version: version))
        case .account: claims = .account(try decodeClaims(json, version: version))
        case .operator: claims = .operator(try decodeClaims(json, version: version))
        default: claims = .generic(try decodeClaims(json, version: version))
        }
        return DecodedJWT(token: token, header: header, version: version, claimType: kind, claims: claims)
    }

    /// Decodes and verifies a user JWT.
    public static func decodeUserClaims(_ token: String) throws(JWTError) -> UserClaims {
        let decoded = try decode(token)
        guard case .user(let claims) = decoded.claims else { throw .wrongClaimType(expected: "user", actual: decoded.claimType) }
        return claims
    }

    /// Decodes and verifies an account JWT.
    public static func decodeAccountClaims(_ token: String) throws(JWTError) -> AccountClaims {
        let decoded = try decode(token)
        guard case .account(let claims) = decoded.claims else {
            throw .wrongClaimType(expected: "account", actual: decoded.claimType)
        }
        return claims
    }

    /// Decodes and verifies an operator JWT.
    public static func decodeOperatorClaims(_ token: String) throws(JWTError) -> OperatorClaims {
        let decoded = try decode(token)
        guard case .operator(let claims) = decoded.claims else {
            throw .wrongClaimType(expected: "operator", actual: decoded.claimType)
        }
        return claims
    }

    /// Signs `claims` with `signer` as a version 2 JWT, as nats-io/jwt's `Encode` does: `iss`
    /// becomes the signer's key, `iat` becomes `issuedAt`, `nats.type` and `nats.version` are
    /// set, and `jti` becomes a hash of the rest (base32 of SHA-256; nats-io/jwt uses
    /// SHA-512/256 over fewer fields, and nothing checks it).
    ///
    /// The subject must be a key of the kind's role (user, account, operator) and the signer
    /// must have a role allowed to sign that kind.
    public static func encode<Body: ClaimsBody>(
        _ claims: JWTClaims<Body>, signer: KeyPair, issuedAt: Date = Date()
    ) throws(JWTError) -> String {
        var claims = claims
        guard !claims.subject.isEmpty else { throw .invalidSubject("") }
        if let role = Body.subjectRole, !NKeys.isValidPublicKey(claims.subject, role: role) {
            throw .invalidSubject(claims.subject)
        }
        if Body.claimType != .generic { claims.nats.type = Body.claimType.rawValue }
        if let roles = ClaimType(rawValue: claims.nats.type)?.issuerRoles, !roles.contains(signer.role) {
            throw .issuerRoleNotAllowed(issuer: signer.publicKeyString, claimType: claims.nats.type)
        }
        claims.issuer = signer.publicKeyString
        claims.issuedAt = Int64(issuedAt.timeIntervalSince1970)
        claims.nats.version = 2
        claims.id = ""
        claims.id = Base32.encode(Array(SHA256.hash(data: try encodeJSON(claims))))
        let signingInput = headerSegment + "." + Base64.encode(try encodeJSON(claims))
        do {
            return signingInput + "." + Base64.encode(try signer.sign(Array(signingInput.utf8)))
        } catch {
            throw .signingFailed(String(describing: error))
        }
    }

    /// A version 1 payload rearranged as version 2: the top-level `type`, `issuer_account` and
    /// `tags` move into `nats`, which is marked version 1.
    private static func legacyJSON(_ fields: [String: JSONValue], type: String) throws(JWTError) -> Data {
        var fields = fields
        var nats = fields["nats"]?.objectValue ?? [:]
        nats["type"] = .string(type)
        nats["version"] = .int(1)
        for name in ["issuer_account", "tags"] {
            if let value = fields.removeValue(forKey: name), nats[name] == nil { nats[name] = value }
        }
        fields["type"] = nil
        fields["nats"] = .object(nats)
        return try encodeJSON(JSONValue.object(fields))
    }

    private static func decodeClaims<Body: ClaimsBody>(_ json: Data, version: Int) throws(JWTError) -> JWTClaims<Body> {
        var claims = try decodeJSON(JWTClaims<Body>.self, from: json)
        if version <= 1 { claims.nats.version = version }
        return claims
    }

    private static func decodeJSON<T: Decodable>(_ type: T.Type, from data: Data) throws(JWTError) -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw .invalidJSON(String(describing: error))
        }
    }

    static func encodeJSON(_ value: some Encodable) throws(JWTError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(value)
        } catch {
            throw .invalidJSON(String(describing: error))
        }
    }
}

extension JWTClaims {
    /// These claims signed by `signer` (see `JWT.encode`).
    public func encode(signer: KeyPair, issuedAt: Date = Date()) throws(JWTError) -> String {
        try JWT.encode(self, signer: signer, issuedAt: issuedAt)
    }
}
