import NATSKeys

/// The NKey or JWT credentials of a connection, resolved from the options before connecting,
/// and the `CONNECT` fields they give for a server nonce.
///
/// As nats.go's `connectProto`: a creds file gives `jwt` and `sig`; an NKey gives `nkey` and
/// `sig`; `sig` is the raw URL-safe base64 of the Ed25519 signature of the nonce text's bytes
/// (of the empty string when the INFO carried no nonce). Both at once is refused.
struct ClientCredentials: Sendable {
    /// The user JWT (creds file).
    let jwt: String?
    /// The public key sent as `nkey` (NKey authentication only).
    let nkey: String?
    /// The key that signs the nonce.
    let signer: KeyPair

    /// The credentials the options ask for, or nil for none.
    static func resolve(_ options: NATSClientOptions) throws(NATSError) -> ClientCredentials? {
        let pair = try nkeyPair(options)
        if let path = options.credentialsFile {
            guard pair == nil else {
                throw .invalidCredentials("a creds file and an NKey cannot be used together")
            }
            let creds: Credentials
            do {
                creds = try Credentials(contentsOfFile: path)
            } catch {
                throw .invalidCredentials("\(path): \(error)")
            }
            guard !creds.jwt.isEmpty else { throw .invalidCredentials("\(path): no user JWT") }
            return ClientCredentials(jwt: creds.jwt, nkey: nil, signer: creds.keyPair)
        }
        guard let pair else { return nil }
        return ClientCredentials(jwt: nil, nkey: pair.publicKeyString, signer: pair)
    }

    private static func nkeyPair(_ options: NATSClientOptions) throws(NATSError) -> KeyPair? {
        if let pair = options.nkey { return pair }
        guard let text = options.nkeySeed else { return nil }
        do {
            return try Credentials.parseUserSeed(text)
        } catch {
            throw .invalidCredentials("NKey seed: \(error)")
        }
    }

    /// The `sig` for `nonce`.
    func signature(nonce: String?) throws(NATSError) -> String {
        do {
            return try NKeyAuth.sign(nonce: nonce ?? "", with: signer)
        } catch {
            throw .invalidCredentials("cannot sign the nonce: \(error)")
        }
    }
}
