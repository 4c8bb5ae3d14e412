import CSystemd
import Dispatch
import Foundation
import Synchronization

/// Tells systemd how the server is doing, through libsystemd's `sd_notify`, for a unit with
/// `Type=notify` (see `docker/starling.service`).
///
/// When the process was not started by systemd (`NOTIFY_SOCKET` unset) every call does
/// nothing, so the server can call it unconditionally:
/// - after the listeners are bound: ``ready(status:)``, then ``startWatchdog(isHealthy:)``;
/// - on SIGHUP: ``reloading(status:)`` before reloading, ``ready(status:)`` after it
///   (systemd ≥ 253 waits for that `READY=1` before `systemctl reload` returns);
/// - on shutdown: ``stopWatchdog()``, then ``stopping(status:)``.
public final class SystemdNotifier: Sendable {
    /// Whether a service manager listens: `NOTIFY_SOCKET` was set when this notifier was made.
    public let isEnabled: Bool
    private let queue = DispatchQueue(label: "starling.systemd-watchdog")
    /// The running keep-alive timer, if any.
    private let watchdogTimer = Mutex<WatchdogTimer?>(nil)

    /// Creates a notifier for the current process environment.
    public init() {
        isEnabled = getenv("NOTIFY_SOCKET") != nil
    }

    deinit {
        stopWatchdog()
    }

    /// Start-up (or a reload) is complete: `READY=1`, with an optional `STATUS=` line.
    public func ready(status: String? = nil) {
        send(["READY=1"], status: status)
    }

    /// A configuration reload begins: `RELOADING=1` with the `MONOTONIC_USEC=` systemd ≥ 253
    /// requires (`Type=notify-reload`); send ``ready(status:)`` when the reload is done.
    public func reloading(status: String? = nil) {
        send(["RELOADING=1", "MONOTONIC_USEC=\(Self.monotonicMicroseconds())"], status: status)
    }

    /// Shutdown begins: `STOPPING=1`.
    public func stopping(status: String? = nil) {
        send(["STOPPING=1"], status: status)
    }

    /// A free-form status line shown by `systemctl status`: `STATUS=`.
    public func status(_ text: String) {
        send([], status: text)
    }

    /// One watchdog keep-alive: `WATCHDOG=1`.
    public func watchdogPing() {
        send(["WATCHDOG=1"], status: nil)
    }

    /// The interval systemd expects keep-alives within (`WATCHDOG_USEC`, for this process when
    /// `WATCHDOG_PID` is set), or nil when the watchdog is off.
    public var watchdogInterval: Duration? {
        guard isEnabled else { return nil }
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(clamping: usec))
    }

    /// Starts sending `WATCHDOG=1` every half ``watchdogInterval`` from a timer; a tick on which
    /// `isHealthy` returns false sends nothing, so systemd restarts a server that stopped
    /// working. Returns the ping period, or nil when the watchdog is off. Restarts a running timer.
    @discardableResult
    public func startWatchdog(isHealthy: @escaping @Sendable () -> Bool = { true }) -> Duration? {
        guard let interval = watchdogInterval else { return nil }
        let period = interval / 2
        let nanos = Int(clamping: period.components.seconds * 1_000_000_000
            + period.components.attoseconds / 1_000_000_000)
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .nanoseconds(nanos), repeating: .nanoseconds(nanos),
                       leeway: .nanoseconds(nanos / 10))
        timer.setEventHandler {
            if isHealthy() { _ = sd_notify(0, "WATCHDOG=1") }
        }
        let running = WatchdogTimer(timer)
        let previous = watchdogTimer.withLock { current in
            let old = current
            current = running
            return old
        }
        previous?.source.cancel()
        timer.resume()
        return period
    }

    /// Stops the keep-alive timer; no ping is sent after this returns.
    public func stopWatchdog() {
        let timer = watchdogTimer.withLock { current in
            let old = current
            current = nil
            return old
        }
        guard let timer else { return }
        timer.source.cancel()
        queue.sync {}  // a tick already running finishes before we return
    }

    /// Sends the fields (one per line) plus `STATUS=`; newlines in the status become spaces.
    private func send(_ fields: [String], status: String?) {
        guard isEnabled else { return }
        var lines = fields
        if let status {
            lines.append("STATUS=" + status.replacingOccurrences(of: "\n", with: " "))
        }
        _ = sd_notify(0, lines.joined(separator: "\n"))
    }

    /// CLOCK_MONOTONIC in microseconds, as systemd's `MONOTONIC_USEC=` wants it.
    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }
}

/// A keep-alive timer shared between threads: the reference never changes and a dispatch
/// source's `cancel` and `resume` may be called from any thread.
private final class WatchdogTimer: @unchecked Sendable {
    let source: any DispatchSourceTimer

    init(_ source: any DispatchSourceTimer) {
        self.source = source
    }
}
