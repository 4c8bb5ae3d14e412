import Foundation
import XCTest
@testable import NATSConfig

final class StructureTests: XCTestCase {
    func testKeyValueSeparators() throws {
        let root = try parse("a = 1\nb: 2\nc 3\nd=4;e:5, f 6\ng\t7")
        XCTAssertEqual(root.keys, ["a", "b", "c", "d", "e", "f", "g"])
        XCTAssertEqual(root.entries?.map { $0.node.int }, [1, 2, 3, 4, 5, 6, 7])
    }

    func testMapsWithAndWithoutSeparator() throws {
        let root = try parse("""
            cluster { port: 6222 }
            gateway = { port: 7222 }
            leafnodes: {
              port: 7422
            }
            """)
        XCTAssertEqual(root["cluster"]?["port"]?.int, 6222)
        XCTAssertEqual(root["gateway"]?["port"]?.int, 7222)
        XCTAssertEqual(root["leafnodes"]?["port"]?.int, 7422)
        XCTAssertEqual(root["cluster"]?.kind, .map)
    }

    func testBraceOnNextLine() throws {
        let root = try parse("cluster\n{\n  port: 1\n}\nlist\n[\n 1\n]")
        XCTAssertEqual(root["cluster"]?["port"]?.int, 1)
        XCTAssertEqual(root["list"]?.array?.count, 1)
    }

    func testMapEntrySeparators() throws {
        let root = try parse("m { a = 1, b = 2; c = 3\n d = 4 }\nn {x=1}")
        XCTAssertEqual(root["m"]?.keys, ["a", "b", "c", "d"])
        XCTAssertEqual(root["n"]?["x"]?.int, 1)
    }

    func testArrays() throws {
        let root = try parse("""
            a = [1, 2, 3]
            b = [
              one
              two, three
              "four" # comment
              // another comment
            ]
            c = [1, 2,]
            d = []
            e = [[1, 2], [3, [4]], {k: v}]
            f = [a,b]
            """)
        XCTAssertEqual(root["a"]?.array?.compactMap(\.int), [1, 2, 3])
        XCTAssertEqual(root["b"]?.array?.compactMap(\.string), ["one", "two", "three", "four"])
        XCTAssertEqual(root["c"]?.array?.compactMap(\.int), [1, 2])
        XCTAssertEqual(root["d"]?.array?.count, 0)
        let e = try XCTUnwrap(root["e"]?.array)
        XCTAssertEqual(e[0].array?.compactMap(\.int), [1, 2])
        XCTAssertEqual(e[1].array?[1].array?.first?.int, 4)
        XCTAssertEqual(e[2]["k"]?.string, "v")
        XCTAssertEqual(root["f"]?.array?.compactMap(\.string), ["a", "b"])
    }

    func testDeepNestingIsSupportedUpToTheLimit() throws {
        let depth = ConfigParser.maximumNestingDepth
        let text = "a = " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        var node = try XCTUnwrap(try parse(text)["a"])
        var levels = 1
        while let inner = node.array?.first {
            node = inner
            levels += 1
        }
        XCTAssertEqual(levels, depth)

        let maps = String(repeating: "m {", count: depth) + String(repeating: "}", count: depth)
        XCTAssertNoThrow(try parse(maps))
    }

    func testQuotedKeys() throws {
        let root = try parse("\"my key\" = 1\n'other: key' : 2\n\"\" = 3\na.b.c = 4\n\"with{brace}\" { x = 1 }")
        XCTAssertEqual(root.keys, ["my key", "other: key", "", "a.b.c", "with{brace}"])
        XCTAssertEqual(root["my key"]?.int, 1)
        XCTAssertEqual(root["other: key"]?.int, 2)
        XCTAssertEqual(root["with{brace}"]?["x"]?.int, 1)
    }

    func testKeysKeepCaseAndLookupIsCaseInsensitive() throws {
        let root = try parse("Server_Name = a\nHTTP_Port = 8222")
        XCTAssertEqual(root.keys, ["Server_Name", "HTTP_Port"])
        XCTAssertEqual(root["server_name"]?.string, "a")
        XCTAssertEqual(root["http_port"]?.int, 8222)
        XCTAssertEqual(root.entry(forKey: "HTTP_PORT")?.key, "HTTP_Port")
        XCTAssertTrue(root.contains(key: "SERVER_NAME"))
        XCTAssertFalse(root.contains(key: "port"))
        XCTAssertNil(root["port"])
        XCTAssertNil(root["Server_Name"]?["x"], "subscript on a non-map is nil")
    }

    func testDuplicateKeysLastWins() throws {
        let root = try parse("a = 1\nb = 2\na = 3\nB = 4")
        XCTAssertEqual(root.keys, ["b", "a", "B"])
        XCTAssertEqual(root["a"]?.int, 3)
        XCTAssertEqual(root["b"]?.int, 4, "case-insensitive lookup returns the last match")
        XCTAssertEqual(root.entry(forKey: "a")?.keyPosition, pos(3, 1))
    }

    func testEntriesAreOrdered() throws {
        let root = try parse("z = 1\ny = 2\nx { c = 1, b = 2, a = 3 }")
        XCTAssertEqual(root.keys, ["z", "y", "x"])
        XCTAssertEqual(root["x"]?.keys, ["c", "b", "a"])
    }

    func testComments() throws {
        let root = try parse("""
            # hash comment
            // slash comment
            a = 1 # trailing
            b = 2 // trailing
            c = "x" #no space
            m { # after brace
              # inside
              d = 4 // trailing
            } # after map
            """)
        XCTAssertEqual(root.keys, ["a", "b", "c", "m"])
        XCTAssertEqual(root["b"]?.int, 2)
        XCTAssertEqual(root["m"]?["d"]?.int, 4)
    }

    func testEmptyAndCommentOnlyDocuments() throws {
        XCTAssertEqual(try parse("").entries?.count, 0)
        XCTAssertEqual(try parse("\n\n  # nothing\n// here\n").entries?.count, 0)
        XCTAssertEqual(try parse("").kind, .map)
        XCTAssertEqual(try parse("").position, pos(1, 1))
    }

    func testTopLevelBraces() throws {
        let root = try parse("{\n  a = 1, b = 2\n  c { d = 3 }\n}\n")
        XCTAssertEqual(root.keys, ["a", "b", "c"])
        XCTAssertEqual(root["c"]?["d"]?.int, 3)
    }

    func testCRLFLineEndings() throws {
        let root = try parse("a = 1\r\nb = [x,\r\n y]\r\nm {\r\n c = 2\r\n}\r\n")
        XCTAssertEqual(root["a"]?.int, 1)
        XCTAssertEqual(root["b"]?.array?.compactMap(\.string), ["x", "y"])
        XCTAssertEqual(root["m"]?["c"]?.int, 2)
        XCTAssertEqual(root.entry(forKey: "m")?.keyPosition, pos(4, 1))
    }

    func testByteOrderMarkIsIgnored() throws {
        let root = try parse("\u{FEFF}a = 1")
        XCTAssertEqual(root.keys, ["a"])
        XCTAssertEqual(root.entry(forKey: "a")?.keyPosition, pos(1, 1))
    }

    func testIncludeAsOrdinaryKey() throws {
        let root = try parse("include = 5\nm { include: yes }")
        XCTAssertEqual(root["include"]?.int, 5)
        XCTAssertEqual(root["m"]?["include"]?.bool, true)
    }

    func testPositionsOfKeysAndValues() throws {
        let root = try parse("""
            port: 4222
              cluster {
                name = "c1"
                routes = [
                  a, b
                ]
              }
            """)
        let port = try XCTUnwrap(root.entry(forKey: "port"))
        XCTAssertEqual(port.keyPosition, pos(1, 1))
        XCTAssertEqual(port.node.position, pos(1, 7))
        let cluster = try XCTUnwrap(root.entry(forKey: "cluster"))
        XCTAssertEqual(cluster.keyPosition, pos(2, 3))
        XCTAssertEqual(cluster.node.position, pos(2, 11))
        let name = try XCTUnwrap(cluster.node.entry(forKey: "name"))
        XCTAssertEqual(name.keyPosition, pos(3, 5))
        XCTAssertEqual(name.node.position, pos(3, 12))
        let routes = try XCTUnwrap(cluster.node["routes"])
        XCTAssertEqual(routes.position, pos(4, 14))
        XCTAssertEqual(routes.array?.map(\.position), [pos(5, 7), pos(5, 10)])
        XCTAssertEqual(port.keyPosition.description, "test.conf:1:1")
    }

    func testColumnsCountUnicodeScalars() throws {
        let root = try parse("name = \"héllo\"; next = 1")
        XCTAssertEqual(root.entry(forKey: "next")?.keyPosition, pos(1, 17))
    }

    func testTypedAccessorsAndRequire() throws {
        let root = try parse("s = x\ni = 1\nb = on\na = [1]\nm { k = v }")
        XCTAssertEqual(try root["s"]?.requireString(), "x")
        XCTAssertEqual(try root["i"]?.requireInt(), 1)
        XCTAssertEqual(try root["i"]?.requireDouble(), 1.0)
        XCTAssertEqual(try root["b"]?.requireBool(), true)
        XCTAssertEqual(try root["a"]?.requireArray().count, 1)
        XCTAssertEqual(try root["m"]?.requireEntries().first?.key, "k")
        XCTAssertNil(root["s"]?.int)
        XCTAssertNil(root["i"]?.string)
        XCTAssertNil(root["m"]?.array)
        XCTAssertEqual(root["m"]?.kind, .map)
        XCTAssertThrowsError(try root["s"]?.requireInt()) { error in
            XCTAssertEqual("\(error)", "test.conf:1:5: expected an integer but found a string")
        }
        XCTAssertThrowsError(try root["m"]?.requireString()) { error in
            XCTAssertEqual("\(error)", "test.conf:5:3: expected a string but found a map")
        }
    }
}
