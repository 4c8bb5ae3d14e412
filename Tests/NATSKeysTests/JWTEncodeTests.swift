import Foundation
import NATSKeys
import XCTest

/// Signing claims and reading them back.
final class JWTEncodeTests: XCTestCase {
    func testOperatorAccountUserChainRoundTrip() throws {
        let operatorPair = try KeyPair.generate(.operator)
        let accountPair = try KeyPair.generate(.account)
        let signingKey = try KeyPair.generate(.account)
        let userPair = try KeyPair.generate(.user)

        var op = OperatorClaims(subject: operatorPair.publicKeyString, name: "op")
        op.nats.systemAccount = accountPair.publicKeyString
        op.nats.signingKeys = [try KeyPair.generate(.operator).publicKeyString]
        op.nats.accountServerURL = "http://localhost:9090/jwt/v1"
        let opToken = try op.encode(signer: operatorPair, issuedAt: Date(timeIntervalSince1970: 1_700_000_000))
        let opBack = try JWT.decodeOperatorClaims(opToken)
        XCTAssertEqual(opBack.issuer, operatorPair.publicKeyString)
        XCTAssertEqual(opBack.issuedAt, 1_700_000_000)
        XCTAssertEqual(opBack.nats.systemAccount, accountPair.publicKeyString)
        XCTAssertEqual(opBack.nats.signingKeys, op.nats.signingKeys)
        XCTAssertEqual(opBack.nats.accountServerURL, "http://localhost:9090/jwt/v1")
        XCTAssertEqual(opBack.id.count, 52)

        var account = AccountClaims(subject: accountPair.publicKeyString, name: "A")
        account.nats.signingKeys = [.plain(signingKey.publicKeyString)]
        account.nats.exports = [JWT.Export(name: "svc", subject: "help.>", type: .service)]
        account.nats.imports = [JWT.Import(subject: "feed.>", account: "AD4M34OPRUPWDYTIQLWKMEZZM5MK7PQQDSKNELCZDRZZEVFWOWPLFTUE", type: .stream)]
        account.nats.revocations = [userPair.publicKeyString: 1_600_000_000]
        account.nats.limits.connections = 10
        let accountToken = try account.encode(signer: operatorPair)
        let accountBack = try JWT.decodeAccountClaims(accountToken)
        XCTAssertEqual(accountBack.issuer, operatorPair.publicKeyString)
        XCTAssertEqual(accountBack.nats.signingKeys, [.plain(signingKey.publicKeyString)])
        XCTAssertEqual(accountBack.nats.exports, account.nats.exports)
        XCTAssertEqual(accountBack.nats.imports, account.nats.imports)
        XCTAssertEqual(accountBack.nats.revocations, account.nats.revocations)
        XCTAssertEqual(accountBack.nats.limits, account.nats.limits, "-1 limits survive the round trip")

        var user = UserClaims(subject: userPair.publicKeyString, name: "bob")
        user.nats.permissions.publish.allow = ["orders.>"]
        user.nats.permissions.subscribe.deny = ["secret.>"]
        user.nats.permissions.response = JWT.ResponsePermission(maxMessages: 2, expires: .milliseconds(1500))
        user.nats.sourceNetworks = ["127.0.0.0/8"]
        user.nats.issuerAccount = accountPair.publicKeyString
        user.nats.allowedConnectionTypes = ["STANDARD"]
        user.expires = 4_102_444_800
        let userToken = try user.encode(signer: signingKey)
        let userBack = try JWT.decodeUserClaims(userToken)
        XCTAssertEqual(userBack.issuer, signingKey.publicKeyString)
        XCTAssertEqual(userBack.nats.limits, user.nats.limits)
        XCTAssertEqual(userBack.nats.issuerAccount, accountPair.publicKeyString)
        XCTAssertEqual(userBack.expires, 4_102_444_800)
        XCTAssertEqual(userBack.nats.type, "user")
        XCTAssertEqual(userBack.nats.version, 2)
    }

    func testEncodedShapeMatchesNatsJWT() throws {
        let account = try KeyPair(seed: Vectors.pythonAccountSeed)
        let userPair = try KeyPair(seed: Vectors.seedsAndKeys[2].seed)
        let token = try UserClaims(subject: userPair.publicKeyString).encode(signer: account)
        let parts = token.split(separator: ".")
        XCTAssertEqual(parts[0], "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ")
        let payload = String(decoding: try XCTUnwrap(Base64.decode(parts[1])), as: UTF8.self)
        // Empty pub/sub objects are written, as Go's encoding/json does for structs; -1 limits too.
        XCTAssertTrue(payload.contains(#""nats":{"data":-1,"payload":-1,"pub":{},"sub":{},"subs":-1,"type":"user","version":2}"#), payload)
        XCTAssertEqual(try XCTUnwrap(Base64.decode(parts[2])).count, 64)
        XCTAssertNil(Base64.decode(String(parts[2]), .standard), "signature is raw URL base64")
    }

    func testDecodedTokensReencodeWithUnknownFields() throws {
        let op = try KeyPair(seed: "SOAFYNORQLQFJYBYNUGC5D7SH2MXMUX5BFEWWGHN3EK4VGG5TPT5DZP7QU")
        let original = try JWT.decodeAccountClaims(Vectors.pythonAccountJWT)
        let token = try original.encode(signer: op)
        var again = try JWT.decodeAccountClaims(token)
        XCTAssertEqual(again.unknown["x_custom"], .object(["keep": .bool(true)]))
        XCTAssertEqual(again.nats.unknown["future_field"], original.nats.unknown["future_field"])
        XCTAssertNotEqual(again.id, original.id)
        XCTAssertEqual(Set(again.nats.signingKeys.map(\.key)), Set(original.nats.signingKeys.map(\.key)))
        again.id = original.id
        again.issuedAt = original.issuedAt
        again.nats.signingKeys = original.nats.signingKeys  // written sorted by key, as Go
        XCTAssertEqual(again, original, "nothing lost but the re-issued jti and iat, and the key order")
    }

    func testEncodeRefusesWrongSubjectsAndSigners() throws {
        let account = try KeyPair.generate(.account)
        let user = try KeyPair.generate(.user)
        XCTAssertThrowsError(try UserClaims(subject: account.publicKeyString).encode(signer: account)) {
            XCTAssertEqual($0 as? JWTError, .invalidSubject(account.publicKeyString))
        }
        XCTAssertThrowsError(try UserClaims(subject: "").encode(signer: account)) {
            XCTAssertEqual($0 as? JWTError, .invalidSubject(""))
        }
        XCTAssertThrowsError(try UserClaims(subject: user.publicKeyString).encode(signer: user)) {
            XCTAssertEqual($0 as? JWTError, .issuerRoleNotAllowed(issuer: user.publicKeyString, claimType: "user"))
        }
        XCTAssertThrowsError(try OperatorClaims(subject: account.publicKeyString).encode(signer: account))
        // Accounts may be self-signed, as nats-io/jwt allows.
        XCTAssertNoThrow(try AccountClaims(subject: account.publicKeyString).encode(signer: account))
    }

    func testScopedSigningKeyRoundTrip() throws {
        let operatorPair = try KeyPair.generate(.operator)
        let accountPair = try KeyPair.generate(.account)
        let scopedKey = try KeyPair.generate(.account)
        var template = JWT.UserPermissionLimits.unlimited
        template.permissions.publish.allow = ["{{name()}}.>"]
        template.bearerToken = true
        var account = AccountClaims(subject: accountPair.publicKeyString)
        account.nats.signingKeys = [
            .scoped(JWT.UserScope(key: scopedKey.publicKeyString, role: "r", template: template)),
            .plain(operatorPair.publicKeyString),
        ]
        let back = try JWT.decodeAccountClaims(account.encode(signer: operatorPair))
        XCTAssertEqual(back.nats.signingKey(scopedKey.publicKeyString)?.scope?.template, template)
        XCTAssertEqual(Set(back.nats.signingKeys.map(\.key)), [scopedKey.publicKeyString, operatorPair.publicKeyString])

        // A user signed by the scoped key carries empty permissions (Go's HasEmptyPermissions).
        var user = UserClaims(subject: try KeyPair.generate(.user).publicKeyString,
                              nats: NATSUser(limits: JWT.UserPermissionLimits(), issuerAccount: accountPair.publicKeyString))
        user.name = "scoped-user"
        let userBack = try JWT.decodeUserClaims(user.encode(signer: scopedKey))
        XCTAssertTrue(userBack.nats.limits.isEmpty)
        XCTAssertFalse(UserClaims(subject: "U").nats.limits.isEmpty, "new users start unlimited (-1), not empty")
    }

    func testGenericClaimsKeepTheirType() throws {
        let server = try KeyPair.generate(.server)
        var claims = GenericClaims(subject: "anything")
        claims.nats.type = "authorization_request"
        claims.nats.unknown["user_nkey"] = .string("UABC")
        claims.audience = "nats-authorization-request"
        let decoded = try JWT.decode(claims.encode(signer: server))
        XCTAssertEqual(decoded.claimType, "authorization_request")
        guard case .generic(let back) = decoded.claims else { return XCTFail("not generic") }
        XCTAssertEqual(back.nats.unknown["user_nkey"], .string("UABC"))
        XCTAssertEqual(back.audience, "nats-authorization-request")
        // Only a server key may sign an authorization request.
        XCTAssertThrowsError(try claims.encode(signer: try KeyPair.generate(.account)))
    }
}
