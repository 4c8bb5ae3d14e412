#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOCore

/// Monotonic time and process CPU time for the bench.
enum BenchClock {
    /// Monotonic nanoseconds.
    @inline(__always)
    static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    /// Seconds between two `now()` readings.
    static func seconds(_ from: UInt64, _ to: UInt64) -> Double { Double(to &- from) / 1e9 }

    /// This process's user and system CPU seconds so far (getrusage).
    static func cpu() -> (user: Double, system: Double) {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return (0, 0) }
        return (Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
                Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6)
    }

    /// CPUs this process may run on (honours `taskset`; from /proc/self/status), at least 1.
    static func allowedCPUs() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else {
            return max(1, System.coreCount)
        }
        let mask = line.dropFirst("Cpus_allowed:".count)
        let count = mask.reduce(0) { n, c in n + (c.hexDigitValue ?? 0).nonzeroBitCount }
        return max(1, min(count, System.coreCount))
    }
}
