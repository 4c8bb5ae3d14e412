import Foundation
import Synchronization

/// The process's asynchronous signals (INT, TERM, HUP, USR1, USR2), caught by one handler that
/// only writes the signal's number to a pipe; a dedicated thread reads the pipe and runs the
/// registered action (the self-pipe pattern).
///
/// `install()` runs first in `main`. From then on a signal is never lost or ignored, whichever
/// thread the kernel picks to take it: one sent while the server is still starting waits in
/// the pipe until `listen()`. A signal with no registered action gets its default disposition,
/// so commands that do not handle signals end on Ctrl-C exactly as an unmodified process would.
enum ProcessSignals {
    /// The signals this module takes over.
    private static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2]

    private static let pipeEnds = Atomic<Int64>(-1)
    private static let actions = Mutex<[Int32: @Sendable () -> Void]>([:])
    private static let listening = Atomic<Bool>(false)

    /// Creates the pipe and installs the handler for every handled signal.
    static func install() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(ends[1], F_SETFL, O_NONBLOCK)
        pipeEnds.store(Int64(ends[0]) << 32 | Int64(ends[1]), ordering: .releasing)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { number in
            let saved = errno
            var byte = UInt8(truncatingIfNeeded: number)
            _ = write(Int32(truncatingIfNeeded: ProcessSignals.pipeEnds.load(ordering: .acquiring)), &byte, 1)
            errno = saved
        }
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        for number in handled { sigaction(number, &action, nil) }
    }

    /// Runs `action` (on the signal thread) whenever `signal` arrives, replacing any earlier one.
    static func on(_ signal: Int32, _ action: @escaping @Sendable () -> Void) {
        actions.withLock { $0[signal] = action }
    }

    /// Starts the signal thread (once); signals already caught are delivered first.
    static func listen() {
        let ends = pipeEnds.load(ordering: .acquiring)
        guard ends >= 0, !listening.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let readEnd = Int32(truncatingIfNeeded: ends >> 32)
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count < 0, errno == EINTR { continue }
                guard count == 1 else { return }
                let number = Int32(byte)
                if let action = actions.withLock({ $0[number] }) {
                    action()
                } else {
                    endByDefault(number)
                }
            }
        }
    }

    /// What the signal would have done without us: restore the default and let it through.
    private static func endByDefault(_ number: Int32) {
        signal(number, SIG_DFL)
        var one = sigset_t()
        sigemptyset(&one)
        sigaddset(&one, number)
        pthread_sigmask(SIG_UNBLOCK, &one, nil)
        raise(number)
    }
}
