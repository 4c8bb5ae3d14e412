import Foundation

/// The throwaway PKI of scripts/make-test-pki.sh (a CA; `server` for localhost and 127.0.0.1;
/// client certificates; an unrelated CA and its client). The script keeps a complete PKI it
/// finds, so one folder per user serves every run.
enum ClientTestPKI {
    static let directory: String = {
        let dir = NSTemporaryDirectory() + "starling-client-pki-\(getuid())"
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/make-test-pki.sh").path
        let result = try? ChildProcess.run("/bin/bash", [script, dir], timeout: 120)
        precondition(result?.status == 0, "make-test-pki.sh failed: \(result.map { $0.stderr } ?? "did not run")")
        return dir
    }()

    /// `DIR/name`.
    static func path(_ name: String) -> String {
        directory + "/" + name
    }

    /// A `tls {}` block for a server using server.pem; `extra` lines go inside.
    static func serverBlock(_ extra: String = "") -> String {
        """
        tls {
          cert_file: "\(path("server.pem"))"
          key_file: "\(path("server-key.pem"))"
          \(extra)
        }
        """
    }
}
