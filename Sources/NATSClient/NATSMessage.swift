/// A message delivered to a subscription or returned by a request.
public struct NATSMessage: Sendable, Equatable {
    /// The subject the message was published to.
    public var subject: String
    /// The reply subject, if the publisher set one.
    public var reply: String?
    /// The header block, for messages sent with headers.
    public var headers: NATSHeaders?
    /// The payload bytes (without headers).
    public var payload: [UInt8]
    /// The subscription id the server delivered it for.
    public var sid: Int

    /// Creates a message.
    public init(subject: String, reply: String? = nil, headers: NATSHeaders? = nil, payload: [UInt8], sid: Int = 0) {
        self.subject = subject
        self.reply = reply
        self.headers = headers
        self.payload = payload
        self.sid = sid
    }

    /// The status code from the header block (e.g. 503), if any.
    public var status: Int? { headers?.status }

    /// The payload decoded as UTF-8.
    public var string: String { String(decoding: payload, as: UTF8.self) }
}
