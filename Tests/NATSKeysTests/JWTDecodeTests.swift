import Foundation
import NATSKeys
import XCTest

/// Decoding JWTs that Go (nsc, nats-io/jwt) and Python made.
final class JWTDecodeTests: XCTestCase {
    func testNKeysCredsJWTIsRefusedAsVersion2WouldBe() throws {
        // nkeys' creds test JWT says version 2 but was signed over the payload alone (the
        // version 1 rule); nats-io/jwt v2 refuses it, and so do we.
        XCTAssertThrowsError(try JWT.decode(Vectors.nkeysCredsJWT)) {
            XCTAssertEqual($0 as? JWTError, .signatureMismatch)
        }
        let parts = Vectors.nkeysCredsJWT.split(separator: ".")
        let payload = try XCTUnwrap(Base64.decode(parts[1]))
        let issuer = try NKeyPublicKey(string: "AADWLTHICV4SUAGF6EKNVEW5BBP7YRDIBGWGGHZ5JBDOQYA7GUFM6AQU")
        XCTAssertTrue(issuer.verify(Array(parts[1].utf8), signature: try XCTUnwrap(Base64.decode(parts[2]))))
        XCTAssertTrue(String(decoding: payload, as: UTF8.self).contains(#""version":2"#))
    }

    func testNscChainOperatorAccountsAndUser() throws {
        let op = try JWT.decodeOperatorClaims(Vectors.chainOperatorJWT)
        XCTAssertEqual(op.subject, Vectors.chainOperatorKey)
        XCTAssertEqual(op.issuer, Vectors.chainOperatorKey, "operators sign themselves")
        XCTAssertEqual(op.name, "js-test")
        XCTAssertEqual(op.nats.version, 2)

        let system = try JWT.decodeAccountClaims(Vectors.chainSystemAccountJWT)
        XCTAssertEqual(system.subject, Vectors.chainSystemAccountKey)
        XCTAssertEqual(system.issuer, Vectors.chainOperatorKey)
        XCTAssertEqual(system.name, "sys")
        XCTAssertEqual(system.nats.limits.connections, -1)
        XCTAssertTrue(system.nats.limits.wildcardExports)

        let account = try JWT.decodeAccountClaims(Vectors.chainAccountJWT)
        XCTAssertEqual(account.subject, Vectors.chainAccountKey)
        XCTAssertEqual(account.nats.limits.jetStream.memoryStorage, 1_073_741_824)
        XCTAssertEqual(account.nats.limits.jetStream.diskStorage, 10_737_418_240)
        XCTAssertEqual(account.nats.limits.jetStream.streams, 100)
        XCTAssertEqual(account.nats.limits.subscriptions, -1)

        let creds = try Credentials(parsing: Vectors.oneCreds)
        let user = try JWT.decodeUserClaims(creds.jwt)
        XCTAssertEqual(user.issuer, Vectors.chainAccountKey)
        XCTAssertEqual(user.subject, creds.keyPair.publicKeyString, "the creds seed is the JWT's subject")
        XCTAssertEqual(user.nats.subscriptions, -1)
        XCTAssertEqual(user.nats.payload, -1)
    }

    func testVersion1OperatorJWT() throws {
        let decoded = try JWT.decode(Vectors.legacyOperatorJWT)
        XCTAssertEqual(decoded.version, 1)
        XCTAssertEqual(decoded.header.algorithm, "ed25519")
        guard case .operator(let op) = decoded.claims else { return XCTFail("not an operator") }
        XCTAssertEqual(op.subject, "OCAT33MTVU2VUOIMGNGUNXJ66AH2RLSDAF3MUBCYAY5QMIL65NQM6XQG")
        XCTAssertEqual(op.name, "Synadia Communications Inc.")
        XCTAssertEqual(op.audience, "TESTS")
        XCTAssertEqual(op.expires, 1_859_121_275)
        XCTAssertEqual(op.notBefore, 1_543_761_275)
        XCTAssertEqual(op.nats.signingKeys, Vectors.legacyOperatorSigningKeys)
        XCTAssertEqual(op.nats.type, "operator")
        XCTAssertEqual(op.nats.version, 1)
        XCTAssertNil(op.unknown["type"], "the version 1 top-level type moved into nats")
    }

    func testPythonAccountJWTEveryField() throws {
        let decoded = try JWT.decode(Vectors.pythonAccountJWT)
        guard case .account(let claims) = decoded.claims else { return XCTFail("not an account") }
        XCTAssertEqual(claims.subject, Vectors.pythonAccountKey)
        XCTAssertEqual(claims.issuer, "OCAT33MTVU2VUOIMGNGUNXJ66AH2RLSDAF3MUBCYAY5QMIL65NQM6XQG")
        XCTAssertEqual(claims.expires, 4_102_444_800)
        XCTAssertFalse(claims.isExpired(at: Date(timeIntervalSince1970: 4_102_444_800)))
        XCTAssertTrue(claims.isExpired(at: Date(timeIntervalSince1970: 4_102_444_801)))
        XCTAssertEqual(claims.unknown["x_custom"], .object(["keep": .bool(true)]))

        let nats = claims.nats
        XCTAssertEqual(nats.imports.count, 1)
        XCTAssertEqual(nats.imports[0].type, .service)
        XCTAssertEqual(nats.imports[0].subject, "help.>")
        XCTAssertEqual(nats.imports[0].localSubject, "ask.>")
        XCTAssertEqual(nats.imports[0].account, "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA")
        let export = try XCTUnwrap(nats.exports.first)
        XCTAssertEqual(export.type, .stream)
        XCTAssertTrue(export.tokenRequired)
        XCTAssertEqual(export.revocations, ["*": 1_600_000_000])
        XCTAssertEqual(export.latency, JWT.ServiceLatency(sampling: 0, results: "lat.x"))
        XCTAssertEqual(export.responseThreshold, .seconds(2))
        XCTAssertEqual(export.accountTokenPosition, 2)

        XCTAssertEqual(nats.limits.subscriptions, 100)
        XCTAssertEqual(nats.limits.connections, 5)
        XCTAssertEqual(nats.limits.leafNodeConnections, -1)
        XCTAssertEqual(nats.limits.payload, 1_048_576)
        XCTAssertEqual(nats.limits.data, 0, "absent: zero, as Go")
        XCTAssertTrue(nats.limits.disallowBearer)
        XCTAssertFalse(nats.limits.wildcardExports)
        XCTAssertEqual(nats.limits.tieredJetStream["R1"]?.diskStorage, 2048)

        XCTAssertEqual(nats.signingKeys.map(\.key), [
            "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA", Vectors.pythonAccountKey,
        ])
        let scope = try XCTUnwrap(nats.signingKey(Vectors.pythonAccountKey)?.scope)
        XCTAssertEqual(scope.role, "dev")
        XCTAssertEqual(scope.description, "scoped")
        XCTAssertEqual(scope.template.permissions.publish.allow, ["{{name()}}.>"])
        XCTAssertEqual(scope.template.permissions.subscribe.deny, ["secret.>"])
        XCTAssertEqual(scope.template.subscriptions, -1, "absent template limits stay unlimited")
        XCTAssertNil(nats.signingKey("ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA")?.scope)

        XCTAssertEqual(nats.revocations[Vectors.pythonUserKey], 1_700_000_001)
        XCTAssertEqual(nats.defaultPermissions.publish.allow, ["pub.>"])
        XCTAssertEqual(nats.defaultPermissions.response, JWT.ResponsePermission(maxMessages: 3, expires: .seconds(5)))
        XCTAssertEqual(nats.mappings["orders"], [
            JWT.WeightedMapping(subject: "orders.a", weight: 60),
            JWT.WeightedMapping(subject: "orders.b", weight: 40, cluster: "east"),
        ])
        XCTAssertEqual(nats.authorization.authUsers, [Vectors.pythonUserKey])
        XCTAssertEqual(nats.authorization.allowedAccounts, ["*"])
        XCTAssertEqual(nats.authorization.xkey, "XAB")
        XCTAssertEqual(nats.trace, JWT.MessageTrace(destination: "trace.here", sampling: 50))
        XCTAssertEqual(nats.clusterTraffic, "owner")
        XCTAssertEqual(nats.description, "made by python")
        XCTAssertEqual(nats.tags, ["a", "b"])
        XCTAssertEqual(nats.unknown["future_field"], .array([.int(1), .double(2.5), .string("x"), .null]))
    }

    func testPythonUserJWTEveryField() throws {
        let user = try JWT.decodeUserClaims(Vectors.pythonUserJWT)
        XCTAssertEqual(user.subject, Vectors.pythonUserKey)
        XCTAssertEqual(user.issuer, Vectors.pythonAccountKey)
        let nats = user.nats
        XCTAssertEqual(nats.permissions.publish, JWT.Permission(allow: ["a.>"], deny: ["a.b"]))
        XCTAssertEqual(nats.permissions.subscribe.allow, ["q.* grp"])
        XCTAssertEqual(nats.permissions.response, JWT.ResponsePermission(maxMessages: 1, expires: .seconds(120)))
        XCTAssertEqual(nats.sourceNetworks, ["192.168.1.0/24", "10.0.0.0/8"], "comma string split and trimmed")
        XCTAssertEqual(nats.times, [JWT.TimeRange(start: "08:00:00", end: "17:00:00")])
        XCTAssertEqual(nats.timesLocation, "Europe/Berlin")
        XCTAssertEqual(nats.subscriptions, 10)
        XCTAssertEqual(nats.payload, 512)
        XCTAssertEqual(nats.data, 0)
        XCTAssertTrue(nats.bearerToken)
        XCTAssertFalse(nats.proxyRequired)
        XCTAssertEqual(nats.allowedConnectionTypes, ["STANDARD", "WEBSOCKET"])
        XCTAssertEqual(nats.issuerAccount, Vectors.chainAccountKey)
        XCTAssertEqual(nats.tags, ["t"])
    }

    func testTamperedTokensAreRefused() throws {
        let parts = Vectors.chainAccountJWT.split(separator: ".").map(String.init)
        func error(_ token: String) -> JWTError? {
            do {
                _ = try JWT.decode(token)
                return nil
            } catch {
                return error
            }
        }
        XCTAssertNil(error(Vectors.chainAccountJWT))
        // A payload changed by one character (re-encoded so it still parses).
        var payload = try XCTUnwrap(Base64.decode(parts[1]))
        let json = String(decoding: payload, as: UTF8.self).replacingOccurrences(of: "\"name\":\"one\"", with: "\"name\":\"two\"")
        payload = Array(json.utf8)
        XCTAssertEqual(error([parts[0], Base64.encode(payload), parts[2]].joined(separator: ".")), .signatureMismatch)
        // Another JWT's signature.
        let other = Vectors.chainSystemAccountJWT.split(separator: ".").map(String.init)
        XCTAssertEqual(error([parts[0], parts[1], other[2]].joined(separator: ".")), .signatureMismatch)
        XCTAssertEqual(error(parts[0] + "." + parts[1]), .malformed)
        XCTAssertEqual(error(Vectors.chainAccountJWT + ".x"), .malformed)
        XCTAssertEqual(error([parts[0], parts[1], "!!"].joined(separator: ".")), .invalidBase64(segment: "signature"))
        XCTAssertEqual(error(["e30", parts[1], parts[2]].joined(separator: ".")), .unsupportedHeader("not supported type \"\""))
        let rs256 = Base64.encode(Array(#"{"typ":"JWT","alg":"RS256"}"#.utf8))
        XCTAssertEqual(error([rs256, parts[1], parts[2]].joined(separator: ".")),
                       .unsupportedHeader("unexpected \"RS256\" algorithm"))
        XCTAssertEqual(error(String(repeating: "a", count: JWT.maxTokenSize + 1)), .tooLarge)
    }

    func testIssuerRoleMustFitTheKind() throws {
        // A user JWT signed by a user key (not an account) is refused even though it verifies.
        let userPair = try KeyPair(seed: Vectors.seedsAndKeys[0].seed)
        let body = #"{"iss":"\#(userPair.publicKeyString)","sub":"\#(userPair.publicKeyString)","nats":{"type":"user","version":2}}"#
        let token = try selfSigned(body, by: userPair)
        XCTAssertThrowsError(try JWT.decode(token)) { error in
            XCTAssertEqual(error as? JWTError,
                           .issuerRoleNotAllowed(issuer: userPair.publicKeyString, claimType: "user"))
        }
        // An issuer that is not a key.
        let bad = try selfSigned(#"{"iss":"nobody","nats":{"type":"user","version":2}}"#, by: userPair)
        XCTAssertThrowsError(try JWT.decode(bad)) { XCTAssertEqual($0 as? JWTError, .invalidIssuer("nobody")) }
        // Newer versions are refused.
        let v3 = try selfSigned(#"{"iss":"\#(userPair.publicKeyString)","nats":{"type":"generic","version":3}}"#, by: userPair)
        XCTAssertThrowsError(try JWT.decode(v3)) { XCTAssertEqual($0 as? JWTError, .unsupportedVersion(3)) }
        // Asking for the wrong kind.
        XCTAssertThrowsError(try JWT.decodeUserClaims(Vectors.chainAccountJWT)) {
            XCTAssertEqual($0 as? JWTError, .wrongClaimType(expected: "user", actual: "account"))
        }
    }

    func testUnknownKindsDecodeAsGeneric() throws {
        let account = try KeyPair(seed: Vectors.pythonAccountSeed)
        let body = #"{"iss":"\#(account.publicKeyString)","sub":"x","nats":{"type":"activation","version":2,"subject":"feed.x","kind":"stream"}}"#
        let decoded = try JWT.decode(try selfSigned(body, by: account))
        guard case .generic(let claims) = decoded.claims else { return XCTFail("not generic") }
        XCTAssertEqual(decoded.claimType, "activation")
        XCTAssertEqual(claims.nats.unknown["subject"], .string("feed.x"))
    }

    /// A version 2 token over `payload`, signed by `pair`, made without `JWT.encode`.
    private func selfSigned(_ payload: String, by pair: KeyPair) throws -> String {
        let header = Base64.encode(Array(#"{"typ":"JWT","alg":"ed25519-nkey"}"#.utf8))
        let input = header + "." + Base64.encode(Array(payload.utf8))
        return input + "." + Base64.encode(try pair.sign(Array(input.utf8)))
    }
}
