import Foundation
import Synchronization

/// Ctrl-C (SIGINT) and SIGTERM for the long-running tools: the first one runs `action` (which
/// ends the subscription, so the tool finishes normally); a second one exits at once with
/// status 130, in case finishing hangs.
enum Interrupt {
    /// Installs `action` for the rest of the process's life.
    static func onInterrupt(_ action: @escaping @Sendable () -> Void) {
        let seen = Atomic<Bool>(false)
        for number in [SIGINT, SIGTERM] {
            ProcessSignals.on(number) {
                if seen.exchange(true, ordering: .relaxed) { exit(130) }
                action()
            }
        }
    }
}
