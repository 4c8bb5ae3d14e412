extension JWT {
    /// JetStream limits of an account or of one tier (`mem_storage`, `disk_storage`, …).
    /// Zero storage means JetStream is disabled; -1 means no limit.
    public struct JetStreamLimits: Sendable, Hashable, Codable {
        /// `mem_storage`: bytes of memory storage across all streams.
        public var memoryStorage: Int64 = 0
        /// `disk_storage`: bytes of disk storage across all streams.
        public var diskStorage: Int64 = 0
        /// `streams`: number of streams.
        public var streams: Int64 = 0
        /// `consumer`: number of consumers.
        public var consumers: Int64 = 0
        /// `max_ack_pending`: largest ack-pending of a stream.
        public var maxAckPending: Int64 = 0
        /// `mem_max_stream_bytes`: largest memory stream.
        public var memoryMaxStreamBytes: Int64 = 0
        /// `disk_max_stream_bytes`: largest disk stream.
        public var diskMaxStreamBytes: Int64 = 0
        /// `max_bytes_required`: streams must set max bytes.
        public var maxBytesRequired: Bool = false


        /// All zero: JetStream disabled.
        public init() {}

        init(fields reader: FieldReader) throws {
            memoryStorage = try reader.field("mem_storage", or: 0)
            diskStorage = try reader.field("disk_storage", or: 0)
            streams = try reader.field("streams", or: 0)
            consumers = try reader.field("consumer", or: 0)
            maxAckPending = try reader.field("max_ack_pending", or: 0)
            memoryMaxStreamBytes = try reader.field("mem_max_stream_bytes", or: 0)
            diskMaxStreamBytes = try reader.field("disk_max_stream_bytes", or: 0)
            maxBytesRequired = try reader.field("max_bytes_required", or: false)
        }

        func encode(fields writer: inout FieldWriter) throws {
            try writer.field("mem_storage", omittingEmpty: memoryStorage)
            try writer.field("disk_storage", omittingEmpty: diskStorage)
            try writer.field("streams", omittingEmpty: streams)
            try writer.field("consumer", omittingEmpty: consumers)
            try writer.field("max_ack_pending", omittingEmpty: maxAckPending)
            try writer.field("mem_max_stream_bytes", omittingEmpty: memoryMaxStreamBytes)
            try writer.field("disk_max_stream_bytes", omittingEmpty: diskMaxStreamBytes)
            try writer.field("max_bytes_required", omittingEmpty: maxBytesRequired)
        }

        public init(from decoder: any Decoder) throws {
            try self.init(fields: decoder.container(keyedBy: FieldKey.self))
        }

        public func encode(to encoder: any Encoder) throws {
            var writer = encoder.container(keyedBy: FieldKey.self)
            try encode(fields: &writer)
        }
    }

    /// An account JWT's `limits` (nats-io/jwt `OperatorLimits`). -1 means no limit; as in Go, an
    /// absent field decodes as 0, while `init()` is the unlimited start of `NewAccountClaims`.
    public struct AccountLimits: Sendable, Hashable, Codable {
        /// `subs`: subscriptions per account.
        public var subscriptions: Int64
        /// `data`: bytes (not enforced by nats-server).
        public var data: Int64
        /// `payload`: largest message payload.
        public var payload: Int64
        /// `imports`: number of imports (not enforced by nats-server).
        public var imports: Int64
        /// `exports`: number of exports (not enforced by nats-server).
        public var exports: Int64
        /// `wildcards`: exports may contain wildcards.
        public var wildcardExports: Bool
        /// `disallow_bearer`: users may not be bearer tokens.
        public var disallowBearer: Bool
        /// `conn`: client connections.
        public var connections: Int64
        /// `leaf`: leaf node connections.
        public var leafNodeConnections: Int64
        /// The untiered JetStream limits (zeroed when tiers are present, as nats-io/jwt does).
        public var jetStream: JetStreamLimits
        /// `tiered_limits`: JetStream limits per tier name ("R1", "R3", …).
        public var tieredJetStream: [String: JetStreamLimits]


        /// Unlimited, with JetStream disabled (nats-io/jwt `NewAccountClaims`).
        public init() {
            subscriptions = -1
            data = -1
            payload = -1
            imports = -1
            exports = -1
            wildcardExports = true
            disallowBearer = false
            connections = -1
            leafNodeConnections = -1
            jetStream = JetStreamLimits()
            tieredJetStream = [:]
        }

        public init(from decoder: any Decoder) throws {
            let reader = try decoder.container(keyedBy: FieldKey.self)
            subscriptions = try reader.field("subs", or: 0)
            data = try reader.field("data", or: 0)
            payload = try reader.field("payload", or: 0)
            imports = try reader.field("imports", or: 0)
            exports = try reader.field("exports", or: 0)
            wildcardExports = try reader.field("wildcards", or: false)
            disallowBearer = try reader.field("disallow_bearer", or: false)
            connections = try reader.field("conn", or: 0)
            leafNodeConnections = try reader.field("leaf", or: 0)
            tieredJetStream = try reader.field("tiered_limits", or: [:])
            jetStream = tieredJetStream.isEmpty ? try JetStreamLimits(fields: reader) : JetStreamLimits()
        }

        public func encode(to encoder: any Encoder) throws {
            var writer = encoder.container(keyedBy: FieldKey.self)
            try writer.field("subs", omittingEmpty: subscriptions)
            try writer.field("data", omittingEmpty: data)
            try writer.field("payload", omittingEmpty: payload)
            try writer.field("imports", omittingEmpty: imports)
            try writer.field("exports", omittingEmpty: exports)
            try writer.field("wildcards", omittingEmpty: wildcardExports)
            try writer.field("disallow_bearer", omittingEmpty: disallowBearer)
            try writer.field("conn", omittingEmpty: connections)
            try writer.field("leaf", omittingEmpty: leafNodeConnections)
            try jetStream.encode(fields: &writer)
            try writer.field("tiered_limits", omittingEmpty: tieredJetStream)
        }
    }
}
