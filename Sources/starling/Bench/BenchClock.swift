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
}
