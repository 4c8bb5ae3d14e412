import Foundation

/// The process's resident memory and CPU time, read from /proc.
struct ProcessUsage {
    var residentBytes = 0
    var cpuSeconds = 0.0

    static func current() -> ProcessUsage {
        var usage = ProcessUsage()
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
            let fields = statm.split(separator: " ")
            if fields.count > 1, let pages = Int(fields[1]) { usage.residentBytes = pages * Int(sysconf(Int32(_SC_PAGESIZE))) }
        }
        var r = rusage()
        if getrusage(RUSAGE_SELF.rawValue, &r) == 0 {
            usage.cpuSeconds = Double(r.ru_utime.tv_sec + r.ru_stime.tv_sec)
                + Double(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6
        }
        return usage
    }
}
