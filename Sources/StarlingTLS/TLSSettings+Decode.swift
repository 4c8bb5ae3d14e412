import NATSConfig

extension TLSSettings {
    /// Decodes a `tls {}` map the way nats-server's `parseTLS` does, with its error texts.
    /// Files are not read here; ``ServerTLS`` and ``ClientTLS`` load them.
    /// - Parameter node: the block's value (a map).
    /// - Throws: ``NATSConfig/ConfigError`` at the offending key or value.
    public init(from node: ConfigNode) throws {
        let entries = try node.requireEntries()
        self.init(position: node.position)
        var certFile: (String, SourcePosition)?
        var keyFile: (String, SourcePosition)?
        var certsPosition: SourcePosition?
        var insecureSuites: [GoCipherSuite] = []
        var insecureSuitesPosition = node.position

        for entry in entries {
            let key = entry.key.lowercased()
            let value = entry.node
            keyPositions[key] = entry.keyPosition
            switch key {
            case "cert_file":
                certFile = (try Self.string(value, "expected 'cert_file' to be filename"), entry.keyPosition)
            case "key_file":
                keyFile = (try Self.string(value, "expected 'key_file' to be filename"), entry.keyPosition)
            case "ca_file":
                caFile = try Self.string(value, "expected 'ca_file' to be filename")
            case "insecure":
                insecure = try Self.bool(value, "insecure")
            case "verify":
                verify = try Self.bool(value, "verify")
            case "verify_and_map":
                verifyAndMap = try Self.bool(value, "verify_and_map")
                if verifyAndMap { verify = true }
            case "verify_cert_and_check_known_urls":
                verifyCertAndCheckKnownURLs = try Self.bool(value, "verify_cert_and_check_known_urls")
                if verifyCertAndCheckKnownURLs { verify = true }
            case "allow_insecure_cipher_suites":
                allowInsecureCipherSuites = try Self.bool(value, "allow_insecure_cipher_suites")
            case "cipher_suites":
                let items = try Self.nonEmptyList(value, "cipher_suites")
                var suites: [GoCipherSuite] = []
                for item in items {
                    let name = try item.requireString()
                    guard let suite = GoCipherSuite.named(name) else {
                        throw item.error("unrecognized cipher \(name)")
                    }
                    guard suite.isSupported else {
                        throw item.error("cipher suite \(name) is not supported by this server's TLS library (BoringSSL)")
                    }
                    if suite.isInsecure {
                        if insecureSuites.isEmpty { insecureSuitesPosition = item.position }
                        insecureSuites.append(suite)
                    }
                    suites.append(suite)
                }
                cipherSuites = suites
            case "curve_preferences":
                let items = try Self.nonEmptyList(value, "curve_preferences")
                curvePreferences = try items.map { item in
                    let name = try item.requireString()
                    if let curve = TLSCurve(rawValue: name) { return curve }
                    if TLSCurve.unsupportedNames.contains(name) {
                        throw item.error("curve preference \(name) is not supported by this server's TLS library (BoringSSL)")
                    }
                    throw item.error("unrecognized curve preference \(name)")
                }
            case "min_version":
                guard let text = value.string else {
                    throw value.error("error parsing tls config: 'min_version' wrong type: \(Self.describe(value))")
                }
                switch text {
                case "1.2": minimumVersion = .tls12
                case "1.3": minimumVersion = .tls13
                case "1.0", "1.1":
                    throw value.error("error parsing tls config: unsupported TLS version: TLS \(text)")
                default:
                    throw value.error("error parsing tls config: unknown version: \(text)")
                }
            case "timeout":
                let nanoseconds: Int64
                switch value.value {
                case .integer, .float, .string:
                    do {
                        nanoseconds = try value.durationNanoseconds()
                    } catch let error as ConfigError {
                        throw value.error("error parsing tls config, 'timeout' \(error.message)")
                    }
                default:
                    throw value.error("error parsing tls config, 'timeout' wrong type")
                }
                timeout = nanoseconds == 0 ? .seconds(2) : .nanoseconds(nanoseconds)
            case "connection_rate_limit":
                guard let limit = value.int else {
                    throw value.error("error parsing tls config, 'connection_rate_limit' wrong type")
                }
                connectionRateLimit = limit
            case "pinned_certs":
                guard let items = value.array else {
                    throw value.error("error parsing tls config, expected 'pinned_certs' to be a list of hex-encoded sha256 of DER encoded SubjectPublicKeyInfo")
                }
                var pins = Set<String>()
                for item in items {
                    let pin = try item.requireString().lowercased()
                    guard pin.utf8.count == 64, pin.utf8.allSatisfy(Self.isLowerHexDigit) else {
                        throw item.error("error parsing tls config, 'pinned_certs' key \(pin) does not look like hex-encoded sha256 of DER encoded SubjectPublicKeyInfo")
                    }
                    pins.insert(pin)
                }
                pinnedCertificates = pins.isEmpty ? nil : pins
            case "handshake_first", "first", "immediate":
                handshakeFirst = try Self.handshakeFirst(value, key: entry.key)
            case "certs", "certificates":
                certsPosition = entry.keyPosition
                certificates = try Self.certificatePairs(value)
            case "ocsp_peer":
                if value.bool == false { break }
                throw value.error("ocsp_peer is not supported by this server")
            case "cert_store", "cert_match_by", "cert_match", "ca_certs_match", "cert_match_skip_invalid":
                throw ConfigError("\(entry.key) not compatible with current operating system (Windows certificate store only)", at: entry.keyPosition)
            default:
                throw ConfigError("error parsing tls config, unknown field \"\(entry.key)\"", at: entry.keyPosition)
            }
        }

        if let certsPosition, certFile != nil {
            throw ConfigError("error parsing tls config, cannot combine 'cert_file' option with 'certs' option",
                              at: certsPosition)
        }
        switch (certFile, keyFile) {
        case let (cert?, key?):
            certificates = [CertificatePair(certFile: cert.0, keyFile: key.0, certPosition: cert.1, keyPosition: key.1)]
        case let (cert?, nil):
            throw ConfigError("missing 'key_file' in TLS configuration", at: cert.1)
        case let (nil, key?):
            throw ConfigError("missing 'cert_file' in TLS configuration", at: key.1)
        case (nil, nil):
            break
        }
        if !allowInsecureCipherSuites && !insecureSuites.isEmpty {
            let names = insecureSuites.map(\.name).joined(separator: ", ")
            throw ConfigError(
                "insecure cipher suites configured without 'allow_insecure_cipher_suites' option set: \(names)",
                at: insecureSuitesPosition)
        }
    }

    private static func string(_ node: ConfigNode, _ message: String) throws -> String {
        guard let text = node.string else { throw node.error("error parsing tls config, \(message)") }
        return text
    }

    private static func bool(_ node: ConfigNode, _ key: String) throws -> Bool {
        guard let flag = node.bool else {
            throw node.error("error parsing tls config, expected '\(key)' to be a boolean")
        }
        return flag
    }

    private static func nonEmptyList(_ node: ConfigNode, _ key: String) throws -> [ConfigNode] {
        let items = try node.requireArray()
        guard !items.isEmpty else { throw node.error("error parsing tls config, '\(key)' cannot be empty") }
        return items
    }

    private static func handshakeFirst(_ node: ConfigNode, key: String) throws -> HandshakeFirst {
        switch node.value {
        case .bool(let on):
            return on ? .on : .off
        case .string(let text):
            switch text.lowercased() {
            case "true", "on": return .on
            case "false", "off": return .off
            case "auto", "auto_fallback": return .auto(fallback: .milliseconds(50))
            default:
                if let nanoseconds = try? GoDuration.nanoseconds(from: text) {
                    return .auto(fallback: .nanoseconds(nanoseconds))
                }
                throw node.error("field \"\(key)\"'s value \"\(text)\" is invalid")
            }
        default:
            throw node.error("field \"\(key)\" should be a boolean or a string, got \(node.kind)")
        }
    }

    private static func certificatePairs(_ node: ConfigNode) throws -> [CertificatePair] {
        guard let items = node.array else {
            throw node.error("error parsing certificates config: unsupported type \(node.kind)")
        }
        return try items.map { item in
            guard let entries = item.entries else {
                throw item.error("error parsing certificates config: unsupported type \(item.kind)")
            }
            var cert: (String, SourcePosition)?
            var key: (String, SourcePosition)?
            for entry in entries {
                guard let file = entry.node.string else {
                    throw entry.node.error("error parsing certificates config: unsupported type \(entry.node.kind)")
                }
                switch entry.key {
                case "cert_file": cert = (file, entry.keyPosition)
                case "key_file": key = (file, entry.keyPosition)
                default:
                    throw ConfigError("error parsing tls certs config, unknown field \"\(entry.key)\"", at: entry.keyPosition)
                }
            }
            guard let cert, let key else {
                throw item.error("error parsing certificates config: both 'cert_file' and 'cert_key' options are required")
            }
            return CertificatePair(certFile: cert.0, keyFile: key.0, certPosition: cert.1, keyPosition: key.1)
        }
    }

    private static func describe(_ node: ConfigNode) -> String {
        switch node.value {
        case .integer(let i): return String(i)
        case .float(let d): return String(d)
        case .bool(let b): return String(b)
        default: return node.kind.description
        }
    }

    private static func isLowerHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
