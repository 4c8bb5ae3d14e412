import Foundation
import NATSConfig
import XCTest
@testable import StarlingTLS

/// The throwaway PKI of scripts/make-test-pki.sh, made once per test run in a temporary folder.
enum TestPKI {
    static let directory: String = {
        let dir = NSTemporaryDirectory() + "starling-tls-tests-\(getpid())"
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/make-test-pki.sh").path
        let status = run("/bin/bash", [script, dir])
        precondition(status.code == 0, "make-test-pki.sh failed: \(status.output)")
        return dir
    }()

    /// `DIR/name`.
    static func path(_ name: String) -> String {
        directory + "/" + name
    }

    /// The DER of `NAME.pem`.
    static func der(_ name: String) throws -> [UInt8] {
        let result = run("/usr/bin/env", ["openssl", "x509", "-in", path(name + ".pem"), "-outform", "DER"], binary: true)
        guard result.code == 0 else { throw NSError(domain: "openssl", code: Int(result.code)) }
        return result.bytes
    }

    /// Runs a shell pipeline and returns its trimmed output.
    static func shell(_ command: String) -> String {
        run("/bin/bash", ["-c", command]).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct Result {
        var code: Int32
        var bytes: [UInt8]
        var output: String { String(decoding: bytes, as: UTF8.self) }
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], binary: Bool = false) -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = binary ? FileHandle.nullDevice : pipe
        do {
            try process.run()
        } catch {
            return Result(code: -1, bytes: Array("\(error)".utf8))
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(code: process.terminationStatus, bytes: Array(data))
    }

    /// A `tls {}` block from configuration text; `$PKI` is replaced by the PKI folder.
    static func settings(_ body: String, file: String = "test.conf") throws -> TLSSettings {
        let text = "tls {\n" + body.replacingOccurrences(of: "$PKI", with: directory) + "\n}\n"
        let root = try ConfigParser.parse(string: text, fileName: file)
        return try TLSSettings(from: XCTUnwrap(root["tls"]))
    }

    /// The settings of a server using NAME.pem/NAME-key.pem, trusting ca.pem.
    static func serverBlock(_ name: String = "server", extra: String = "") -> String {
        """
        cert_file: "$PKI/\(name).pem"
        key_file: "$PKI/\(name)-key.pem"
        ca_file: "$PKI/ca.pem"
        \(extra)
        """
    }
}
