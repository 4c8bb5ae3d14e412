import Foundation
import XCTest
@testable import NATSConfig

final class VariableTests: XCTestCase {
    private var setVariables: [String] = []

    private func setEnvironment(_ name: String, _ value: String) {
        setenv(name, value, 1)
        setVariables.append(name)
    }

    override func tearDown() {
        for name in setVariables { unsetenv(name) }
        setVariables = []
        super.tearDown()
    }

    func testVariableFromSameMap() throws {
        let root = try parse("PORT = 4222\nport = $PORT")
        XCTAssertEqual(root["port"]?.int, 4222)
        XCTAssertEqual(root["port"]?.position, pos(2, 8), "the value is positioned at the reference")
    }

    func testVariableFromEnclosingMapAndShadowing() throws {
        let root = try parse("""
            x = 1
            m {
              x = 2
              y = $x
              inner { z = $x, list = [$x, [$x]] }
            }
            w = $x
            """)
        XCTAssertEqual(root["m"]?["y"]?.int, 2)
        XCTAssertEqual(root["m"]?["inner"]?["z"]?.int, 2)
        XCTAssertEqual(root["m"]?["inner"]?["list"]?.array?.first?.int, 2)
        XCTAssertEqual(root["m"]?["inner"]?["list"]?.array?[1].array?.first?.int, 2)
        XCTAssertEqual(root["w"]?.int, 1)
    }

    func testVariableHoldingMapOrArray() throws {
        let root = try parse("defaults { timeout = 2, hosts = [a, b] }\nuse = $defaults\nhosts = $defaults")
        XCTAssertEqual(root["use"]?["timeout"]?.int, 2)
        XCTAssertEqual(root["use"]?["hosts"]?.array?.count, 2)
        XCTAssertEqual(root["use"]?.position, pos(2, 7))
        XCTAssertEqual(root["use"]?.entry(forKey: "timeout")?.keyPosition, pos(1, 12),
                       "inner positions stay where the map was defined")
    }

    func testVariablesAreCaseSensitiveAndMustBeDefinedEarlier() {
        assertParseError("Foo = 1\nb = $foo_starling_undefined",
                         "test.conf:2:5: variable reference for 'foo_starling_undefined' on line 2 can not be found")
        assertParseError("a = $LATER_STARLING_VAR\nLATER_STARLING_VAR = 1",
                         "test.conf:1:5: variable reference for 'LATER_STARLING_VAR' on line 1 can not be found")
        assertParseError("m { self_ref_starling = { a = $self_ref_starling } }",
                         "test.conf:1:31: variable reference for 'self_ref_starling' on line 1 can not be found")
    }

    func testUndefinedVariableErrorMessage() {
        assertParseError("port: 4222\nfoo = $NOPE_VAR_XYZ",
                         "test.conf:2:7: variable reference for 'NOPE_VAR_XYZ' on line 2 can not be found")
        assertParseError("a = [1,\n  $NOPE_VAR_XYZ]",
                         "test.conf:2:3: variable reference for 'NOPE_VAR_XYZ' on line 2 can not be found")
    }

    func testEmptyVariableName() {
        assertParseError("a = $", "test.conf:1:5: variable reference '$' has no name")
    }

    func testEnvironmentValueIsReparsed() throws {
        setEnvironment("STARLING_TEST_PORT", "4222")
        setEnvironment("STARLING_TEST_BOOL", "yes")
        setEnvironment("STARLING_TEST_SIZE", "8MB")
        setEnvironment("STARLING_TEST_LIST", "[a, b, 3]")
        setEnvironment("STARLING_TEST_MAP", "{ user: me, pass: \"p w\" }")
        setEnvironment("STARLING_TEST_TEXT", "hello world, and more")
        setEnvironment("STARLING_TEST_QUOTED", "\"quoted\"")
        setEnvironment("STARLING_TEST_EMPTY", "")
        let root = try parse("""
            port = $STARLING_TEST_PORT
            debug = $STARLING_TEST_BOOL
            size = $STARLING_TEST_SIZE
            list = $STARLING_TEST_LIST
            auth = $STARLING_TEST_MAP
            text = $STARLING_TEST_TEXT
            quoted = $STARLING_TEST_QUOTED
            empty = $STARLING_TEST_EMPTY
            """)
        XCTAssertEqual(root["port"]?.int, 4222)
        XCTAssertEqual(root["port"]?.kind, .integer)
        XCTAssertEqual(root["port"]?.position, pos(1, 8))
        XCTAssertEqual(root["debug"]?.bool, true)
        XCTAssertEqual(root["size"]?.int, 8 << 20)
        XCTAssertEqual(root["list"]?.array?.count, 3)
        XCTAssertEqual(root["list"]?.array?[2].int, 3)
        XCTAssertEqual(root["list"]?.array?[2].position, pos(4, 8), "env values take the reference position")
        XCTAssertEqual(root["auth"]?["pass"]?.string, "p w")
        XCTAssertEqual(root["text"]?.string, "hello world, and more", "unparseable values stay raw strings")
        XCTAssertEqual(root["quoted"]?.string, "quoted")
        XCTAssertEqual(root["empty"]?.string, "")
    }

    func testScopeWinsOverEnvironment() throws {
        setEnvironment("STARLING_TEST_SHADOW", "from-env")
        let root = try parse("STARLING_TEST_SHADOW = from-file\nv = $STARLING_TEST_SHADOW\nm { w = $STARLING_TEST_SHADOW }")
        XCTAssertEqual(root["v"]?.string, "from-file")
        XCTAssertEqual(root["m"]?["w"]?.string, "from-file")
        let envOnly = try parse("v = $STARLING_TEST_SHADOW")
        XCTAssertEqual(envOnly["v"]?.string, "from-env")
    }

    func testEnvironmentValueReferringToAnotherEnvironmentVariable() throws {
        setEnvironment("STARLING_TEST_OUTER", "$STARLING_TEST_INNER")
        setEnvironment("STARLING_TEST_INNER", "7")
        XCTAssertEqual(try parse("v = $STARLING_TEST_OUTER")["v"]?.int, 7)
    }

    func testEnvironmentCycleIsAnError() {
        setEnvironment("STARLING_TEST_CYCLE_A", "$STARLING_TEST_CYCLE_B")
        setEnvironment("STARLING_TEST_CYCLE_B", "[1, $STARLING_TEST_CYCLE_A]")
        setEnvironment("STARLING_TEST_SELF", "$STARLING_TEST_SELF")
        assertParseError("\nv = $STARLING_TEST_CYCLE_A",
                         "test.conf:2:5: variable reference cycle for 'STARLING_TEST_CYCLE_A' through environment variables")
        assertParseError("v = $STARLING_TEST_SELF",
                         "test.conf:1:5: variable reference cycle for 'STARLING_TEST_SELF' through environment variables")
    }

    func testUndefinedVariableInsideEnvironmentValueIsReportedAtTheReference() {
        setEnvironment("STARLING_TEST_DANGLING", "$STARLING_TEST_NOT_SET_ANYWHERE")
        assertParseError("a = 1\nb = $STARLING_TEST_DANGLING",
                         "test.conf:2:5: variable reference for 'STARLING_TEST_NOT_SET_ANYWHERE' on line 2 can not be found")
    }

    func testBcryptHashesAreLiterals() throws {
        let root = try parse("""
            a = $2a$11$PWIFAL8RsWyGI3jVZtO9Nu8.6jOxzxfZo7c/W0eLk017hjgUKWrhy
            b = $2b$10$abcdefghijklmnopqrstuv
            c = $2y$12$xyz
            users = [{user: x, password: $2a$11$PWIFAL8RsWyGI3jVZtO9Nu}]
            """)
        XCTAssertEqual(root["a"]?.string, "$2a$11$PWIFAL8RsWyGI3jVZtO9Nu8.6jOxzxfZo7c/W0eLk017hjgUKWrhy")
        XCTAssertEqual(root["b"]?.string, "$2b$10$abcdefghijklmnopqrstuv")
        XCTAssertEqual(root["c"]?.string, "$2y$12$xyz")
        XCTAssertEqual(root["users"]?.array?.first?["password"]?.string, "$2a$11$PWIFAL8RsWyGI3jVZtO9Nu")
        XCTAssertTrue(root.entriesUsedAsVariables.isEmpty)
    }

    func testNoInterpolationInQuotedStrings() throws {
        setEnvironment("STARLING_TEST_NOINTERP", "x")
        let root = try parse("a = \"$STARLING_TEST_NOINTERP\"\nb = 'pre $STARLING_TEST_NOINTERP'\nc = pre$STARLING_TEST_NOINTERP")
        XCTAssertEqual(root["a"]?.string, "$STARLING_TEST_NOINTERP")
        XCTAssertEqual(root["b"]?.string, "pre $STARLING_TEST_NOINTERP")
        XCTAssertEqual(root["c"]?.string, "pre$STARLING_TEST_NOINTERP")
    }

    func testKeysUsedAsVariablesAreTracked() throws {
        let root = try parse("""
            TOKEN = s3cret
            UNUSED = 1
            NESTED_ONLY = 5
            authorization { token = $TOKEN, inner { n = $NESTED_ONLY } }
            """)
        let flags = Dictionary(uniqueKeysWithValues: try XCTUnwrap(root.entries).map { ($0.key, $0.isUsedAsVariable) })
        XCTAssertEqual(flags, ["TOKEN": true, "UNUSED": false, "NESTED_ONLY": true, "authorization": false])
        XCTAssertEqual(root.entriesUsedAsVariables.map(\.key), ["TOKEN", "NESTED_ONLY"])
        XCTAssertEqual(root["authorization"]?["token"]?.string, "s3cret")
    }

    func testVariableFlagOnNestedMapKey() throws {
        let root = try parse("m { local = 1, v = $local }")
        XCTAssertEqual(root["m"]?.entry(forKey: "local")?.isUsedAsVariable, true)
        XCTAssertEqual(root["m"]?.entry(forKey: "v")?.isUsedAsVariable, false)
    }
}
