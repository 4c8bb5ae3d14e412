extension NATSClientOptions {
    /// Whether these options demand TLS whatever the server says: ``tlsRequired`` (a `tls://`
    /// URL), ``tlsHandshakeFirst``, a CA file or a client certificate, as nats.go's `Secure`,
    /// `RootCAs`, `ClientCert` and `TLSHandshakeFirst` options do. ``tlsInsecure`` alone does
    /// not: it only relaxes verification whenever TLS is used.
    public var demandsTLS: Bool {
        tlsRequired || tlsHandshakeFirst || tlsCAFile != nil || tlsCertFile != nil
    }

    /// `host:port`, with brackets around an IPv6 address.
    public var serverAddress: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
