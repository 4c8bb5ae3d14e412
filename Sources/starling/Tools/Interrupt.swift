import Dispatch
import Foundation
import Synchronization

/// Ctrl-C (SIGINT) and SIGTERM for the long-running tools: the first one runs `action` (which
/// ends the subscription, so the tool finishes normally); a second one exits at once with
/// status 130, in case finishing hangs.
enum Interrupt {
    /// Installs `action`; keep the returned sources alive while it should apply.
    static func onInterrupt(_ action: @escaping @Sendable () -> Void) -> [any DispatchSourceSignal] {
        let seen = Atomic<Bool>(false)
        return [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if seen.exchange(true, ordering: .relaxed) { exit(130) }
                action()
            }
            source.resume()
            return source
        }
    }
}
