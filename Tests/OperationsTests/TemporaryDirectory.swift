import Foundation

/// A fresh directory under the system's temporary directory, for one test.
enum TemporaryDirectory {
    static func make() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("starling-ops-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
