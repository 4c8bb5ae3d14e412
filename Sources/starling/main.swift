import Starling
import Logging
import Foundation

LoggingSystem.bootstrap { _ in ServerLogHandler(level: .info) }
var options = ServerOptions()
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "-p": options.port = Int(args.popFirst()!)!
    case "-a": options.host = args.popFirst()!
    default: break
    }
}
let server = Server(options: options, logger: Logger(label: "starling"))
try server.start()
try server.waitUntilClosed()
