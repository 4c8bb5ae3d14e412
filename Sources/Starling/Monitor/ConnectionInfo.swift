import StarlingTLS
import Foundation

/// One connection as /connz shows it (nats-server monitor.go: ConnInfo); field names are Go's.
public struct ConnectionInfo: Sendable {
    public var cid: UInt64 = 0
    public var kind = "Client"
    public var type = "nats"
    public var ip = ""
    public var port = 0
    public var start = Date()
    public var lastActivity = Date()
    public var stop: Date?
    public var reason: String?
    public var rtt: Duration?
    public var pendingBytes = 0
    public var inMsgs = 0
    public var outMsgs = 0
    public var inBytes = 0
    public var outBytes = 0
    public var subscriptions = 0
    public var name = ""
    public var lang = ""
    public var version = ""
    public var account = ""
    public var authorizedUser = ""
    /// The negotiated TLS session, for `tls_version`, `tls_cipher_suite`, `tls_peer_certs`.
    public var tls: TLSConnectionInfo?
    /// Subjects of the connection's subscriptions (with `subs=1`).
    public var subscriptionList: [SubscriptionInfo] = []

    /// Creates an empty record.
    public init() {}
}

/// A subscription as /connz (`subs=detail`) and /subsz show it.
public struct SubscriptionInfo: Sendable, Encodable {
    public var account: String
    public var subject: String
    public var qgroup: String?
    public var sid: String
    public var msgs: Int
    public var max: Int?
    public var cid: UInt64
}

extension ConnectionInfo: Encodable {
    enum CodingKeys: String, CodingKey {
        case cid, kind, type, ip, port, start, stop, reason, rtt, uptime, idle, name, lang, version, account, subscriptions
        case lastActivity = "last_activity"
        case pendingBytes = "pending_bytes"
        case inMsgs = "in_msgs", outMsgs = "out_msgs", inBytes = "in_bytes", outBytes = "out_bytes"
        case authorizedUser = "authorized_user"
        case subscriptionsList = "subscriptions_list"
        case subscriptionsListDetail = "subscriptions_list_detail"
        case tlsVersion = "tls_version", tlsCipherSuite = "tls_cipher_suite", tlsPeerCerts = "tls_peer_certs"
    }

    /// A peer certificate as /connz shows it (never the certificate itself).
    struct PeerCertificate: Encodable {
        let subject: String
        let spkiSHA256: String
        let certSHA256: String

        enum CodingKeys: String, CodingKey {
            case subject
            case spkiSHA256 = "spki_sha256", certSHA256 = "cert_sha256"
        }
    }

    /// How much of the subscription list to include.
    enum SubscriptionDetail: Sendable { case none, subjects, detail }

    public func encode(to encoder: any Encoder) throws {
        try encode(to: encoder, detail: encoder.userInfo[.subscriptionDetail] as? SubscriptionDetail ?? .none,
                   showAuth: encoder.userInfo[.showAuth] as? Bool ?? false)
    }

    private func encode(to encoder: any Encoder, detail: SubscriptionDetail, showAuth: Bool) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let end = stop ?? Date()
        try c.encode(cid, forKey: .cid)
        try c.encode(kind, forKey: .kind)
        try c.encode(type, forKey: .type)
        try c.encode(ip, forKey: .ip)
        try c.encode(port, forKey: .port)
        try c.encode(GoFormat.timestamp(start), forKey: .start)
        try c.encode(GoFormat.timestamp(lastActivity), forKey: .lastActivity)
        if let stop { try c.encode(GoFormat.timestamp(stop), forKey: .stop) }
        if let reason { try c.encode(reason, forKey: .reason) }
        try c.encode(GoFormat.duration(rtt ?? .zero), forKey: .rtt)
        try c.encode(GoFormat.uptime(end.timeIntervalSince(start)), forKey: .uptime)
        try c.encode(GoFormat.uptime(end.timeIntervalSince(lastActivity)), forKey: .idle)
        try c.encode(pendingBytes, forKey: .pendingBytes)
        try c.encode(inMsgs, forKey: .inMsgs)
        try c.encode(outMsgs, forKey: .outMsgs)
        try c.encode(inBytes, forKey: .inBytes)
        try c.encode(outBytes, forKey: .outBytes)
        try c.encode(subscriptions, forKey: .subscriptions)
        if let tls {
            try c.encode(tls.version, forKey: .tlsVersion)
            try c.encode(tls.cipherSuite, forKey: .tlsCipherSuite)
            if showAuth, let peer = tls.peer {
                try c.encode([PeerCertificate(subject: peer.subjectName, spkiSHA256: peer.spkiSHA256,
                                              certSHA256: peer.certificateSHA256)], forKey: .tlsPeerCerts)
            }
        }
        if !name.isEmpty { try c.encode(name, forKey: .name) }
        if !lang.isEmpty { try c.encode(lang, forKey: .lang) }
        if !version.isEmpty { try c.encode(version, forKey: .version) }
        if showAuth {
            if !authorizedUser.isEmpty { try c.encode(authorizedUser, forKey: .authorizedUser) }
            if !account.isEmpty { try c.encode(account, forKey: .account) }
        }
        switch detail {
        case .none: break
        case .subjects where !subscriptionList.isEmpty:
            try c.encode(subscriptionList.map(\.subject), forKey: .subscriptionsList)
        case .detail where !subscriptionList.isEmpty:
            try c.encode(subscriptionList, forKey: .subscriptionsListDetail)
        default: break
        }
    }
}

extension CodingUserInfoKey {
    /// Tells ``ConnectionInfo`` how much of its subscription list to encode.
    static let subscriptionDetail = CodingUserInfoKey(rawValue: "subscriptionDetail")!
    /// Tells ``ConnectionInfo`` to show `authorized_user`, `account` and peer certificates (`auth=1`).
    static let showAuth = CodingUserInfoKey(rawValue: "showAuth")!
}
