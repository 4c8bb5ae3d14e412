/// The `-ERR` texts nats-server sends to clients, verbatim (client.go, errors.go).
enum ClientError {
    static let unknownOperation = "Unknown Protocol Operation"
    static let maxControlLine = "maximum control line exceeded"
    static let maxPayload = "Maximum Payload Violation"
    static let invalidSubject = "Invalid Subject"
    static let invalidPublishSubject = "Invalid Publish Subject"
    static let staleConnection = "Stale Connection"
    static let maxConnections = "maximum connections exceeded"
    static let maxSubscriptions = "maximum subscriptions exceeded"
    static let invalidProtocol = "invalid client protocol"
    static let noRespondersRequiresHeaders = "no responders requires headers support"
    static let authorizationViolation = "Authorization Violation"
    static let authenticationTimeout = "Authentication Timeout"
}
