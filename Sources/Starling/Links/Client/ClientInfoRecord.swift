import Foundation

/// What the server knows about a client connection, for logs and monitoring.
struct ClientInfoRecord: Sendable {
    var cid: UInt64 = 0
    var start = Date()
    var ip = ""
    var port = 0
    var name = ""
    var lang = ""
    var version = ""
    var inMsgs = 0
    var inBytes = 0
}
