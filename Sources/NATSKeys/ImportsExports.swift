extension JWT {
    /// Whether an import or export is a stream or a service (`type`).
    public enum ExportType: String, Sendable, Hashable, Codable {
        /// Absent from the JSON.
        case unknown = ""
        /// `"stream"`.
        case stream
        /// `"service"`.
        case service

        public init(from decoder: any Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let value = ExportType(rawValue: text), value != .unknown else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "unknown export type \"\(text)\""))
            }
            self = value
        }
    }

    /// One of an account's `imports`: a stream or service taken from another account.
    public struct Import: Sendable, Hashable, Codable {
        /// `name`.
        public var name: String = ""
        /// `subject`: from the publisher's side (the exporter for streams, the importer for services).
        public var subject: String = ""
        /// `account`: the exporting account's public key.
        public var account: String = ""
        /// `token`: an activation JWT, for exports that require one.
        public var token: String = ""
        /// `to`: deprecated remapping of `subject`.
        public var to: String = ""
        /// `local_subject`: the subject used in the importing account (`$1`-style references allowed).
        public var localSubject: String = ""
        /// `type`.
        public var type: ExportType = .unknown
        /// `share`: share the requester's connection info with the service (latency tracking).
        public var share: Bool = false
        /// `allow_trace`.
        public var allowTrace: Bool = false

        /// An import.
        public init(name: String = "", subject: String, account: String, type: ExportType, localSubject: String = "") {
            self.name = name
            self.subject = subject
            self.account = account
            self.type = type
            self.localSubject = localSubject
        }

        public init(from decoder: any Decoder) throws {
            let reader = try decoder.container(keyedBy: FieldKey.self)
            name = try reader.field("name", or: "")
            subject = try reader.field("subject", or: "")
            account = try reader.field("account", or: "")
            token = try reader.field("token", or: "")
            to = try reader.field("to", or: "")
            localSubject = try reader.field("local_subject", or: "")
            type = try reader.field("type", or: .unknown)
            share = try reader.field("share", or: false)
            allowTrace = try reader.field("allow_trace", or: false)
        }

        public func encode(to encoder: any Encoder) throws {
            var writer = encoder.container(keyedBy: FieldKey.self)
            try writer.field("name", omittingEmpty: name)
            try writer.field("subject", omittingEmpty: subject)
            try writer.field("account", omittingEmpty: account)
            try writer.field("token", omittingEmpty: token)
            try writer.field("to", omittingEmpty: to)
            try writer.field("local_subject", omittingEmpty: localSubject)
            if type != .unknown { try writer.field("type", type) }
            try writer.field("share", omittingEmpty: share)
            try writer.field("allow_trace", omittingEmpty: allowTrace)
        }
    }

    /// `service_latency` of an export: where and how often to publish latency measurements.
    public struct ServiceLatency: Sendable, Hashable, Codable {
        /// `sampling`: percentage 1…100, or 0 for `"headers"` (sample when the request asks).
        public var sampling: Int
        /// `results`: the subject measurements go to.
        public var results: String

        /// A latency setting.
        public init(sampling: Int, results: String) {
            self.sampling = sampling
            self.results = results
        }

        public init(from decoder: any Decoder) throws {
            let reader = try decoder.container(keyedBy: FieldKey.self)
            if let text = try? reader.decode(String.self, forKey: FieldKey("sampling")), text.lowercased() == "headers" {
                sampling = 0
            } else {
                sampling = try reader.field("sampling", or: 0)
            }
            results = try reader.field("results", or: "")
        }

        public func encode(to encoder: any Encoder) throws {
            var writer = encoder.container(keyedBy: FieldKey.self)
            if sampling == 0 { try writer.field("sampling", "headers") } else { try writer.field("sampling", sampling) }
            try writer.field("results", results)
        }
    }

    /// One of an account's `exports`: a stream or service offered to other accounts.
    public struct Export: Sendable, Hashable, Codable {
        /// `name`.
        public var name: String = ""
        /// `subject`.
        public var subject: String = ""
        /// `type`.
        public var type: ExportType = .unknown
        /// `token_req`: importers need an activation token.
        public var tokenRequired: Bool = false
        /// `revocations`: activation revocations, importer key (or `*`) → issued-at cut-off.
        public var revocations: [String: Int64] = [:]
        /// `response_type`: `Singleton` (default), `Stream` or `Chunked`.
        public var responseType: String = ""
        /// `response_threshold`: how long responses are tracked (nanoseconds in JSON).
        public var responseThreshold: Duration = .zero
        /// `service_latency`.
        public var latency: ServiceLatency?
        /// `account_token_position`: the subject token that must equal the importer's key.
        public var accountTokenPosition: UInt = 0
        /// `advertise`.
        public var advertise: Bool = false
        /// `allow_trace`.
        public var allowTrace: Bool = false
        /// `description`.
        public var description: String = ""
        /// `info_url`.
        public var infoURL: String = ""

        /// An export.
        public init(name: String = "", subject: String, type: ExportType) {
            self.name = name
            self.subject = subject
            self.type = type
        }

        public init(from decoder: any Decoder) throws {
            let reader = try decoder.container(keyedBy: FieldKey.self)
            name = try reader.field("name", or: "")
            subject = try reader.field("subject", or: "")
            type = try reader.field("type", or: .unknown)
            tokenRequired = try reader.field("token_req", or: false)
            revocations = try reader.field("revocations", or: [:])
            responseType = try reader.field("response_type", or: "")
            responseThreshold = try GoDuration.decode(reader, "response_threshold")
            latency = try reader.optionalField("service_latency")
            accountTokenPosition = try reader.field("account_token_position", or: 0)
            advertise = try reader.field("advertise", or: false)
            allowTrace = try reader.field("allow_trace", or: false)
            description = try reader.field("description", or: "")
            infoURL = try reader.field("info_url", or: "")
        }

        public func encode(to encoder: any Encoder) throws {
            var writer = encoder.container(keyedBy: FieldKey.self)
            try writer.field("name", omittingEmpty: name)
            try writer.field("subject", omittingEmpty: subject)
            if type != .unknown { try writer.field("type", type) }
            try writer.field("token_req", omittingEmpty: tokenRequired)
            try writer.field("revocations", omittingEmpty: revocations)
            try writer.field("response_type", omittingEmpty: responseType)
            try writer.field("response_threshold", omittingEmpty: GoDuration.nanoseconds(responseThreshold))
            try writer.field("service_latency", omittingEmpty: latency)
            try writer.field("account_token_position", omittingEmpty: accountTokenPosition)
            try writer.field("advertise", omittingEmpty: advertise)
            try writer.field("allow_trace", omittingEmpty: allowTrace)
            try writer.field("description", omittingEmpty: description)
            try writer.field("info_url", omittingEmpty: infoURL)
        }
    }
}
