import Dispatch
import Foundation

/// Ctrl-C (SIGINT) and SIGTERM for the long-running tools: instead of dying mid-write, the
/// tool runs `action` (which ends its subscription) and finishes normally.
enum Interrupt {
    /// Installs `action`; keep the returned sources alive while it should apply.
    static func onInterrupt(_ action: @escaping @Sendable () -> Void) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: action)
            source.resume()
            return source
        }
    }
}
