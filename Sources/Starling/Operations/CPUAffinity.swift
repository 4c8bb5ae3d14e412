import Foundation
import NIOCore

/// The CPUs this process may run on, as Go's runtime counts them for GOMAXPROCS: the server
/// runs one event loop per allowed CPU, so `taskset -c 0` gives one loop and no thread hops.
public enum CPUAffinity {
    /// CPUs in this process's affinity mask (`Cpus_allowed` in /proc/self/status), at least 1.
    public static func allowedCPUs() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else {
            return max(1, System.coreCount)
        }
        let mask = line.dropFirst("Cpus_allowed:".count)
        let count = mask.reduce(0) { n, c in n + (c.hexDigitValue ?? 0).nonzeroBitCount }
        return max(1, min(count, System.coreCount))
    }
}
