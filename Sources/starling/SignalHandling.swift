import Dispatch
import Foundation
import Starling

/// Process signals: SIGINT and SIGTERM shut the server down gracefully.
enum SignalHandling {
    /// Installs the handlers; keep the returned sources alive while the server runs.
    static func install(server: Server) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                server.shutdown()
                exit(0)
            }
            source.resume()
            return source
        }
    }
}
