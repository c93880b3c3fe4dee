/// How a connection reaches its database, for `status`: the encryption in use and any pooler in between.
public struct ConnectionDetails: Sendable, Equatable {
    /// The encryption of a network connection.
    public struct TLS: Sendable, Equatable {
        /// The protocol in use (`TLSv1.3`); `nil` when the connection is not encrypted.
        public var protocolVersion: String?
        /// libpq's `sslmode` as used, defaults applied.
        public var sslMode: String
        /// Whether the server's certificate was checked against a trusted CA (`verify-ca`, `verify-full`).
        public var certificateVerified: Bool
        /// Whether the certificate was also checked to name the host (`verify-full`).
        public var hostVerified: Bool
        /// The same for people: `TLSv1.3, sslmode=require (encrypted; …)`.
        public var description: String

        /// Creates a description of the encryption in use.
        public init(protocolVersion: String?, sslMode: String, certificateVerified: Bool, hostVerified: Bool, description: String) {
            self.protocolVersion = protocolVersion
            self.sslMode = sslMode
            self.certificateVerified = certificateVerified
            self.hostVerified = hostVerified
            self.description = description
        }
    }

    /// A connection pooler between the client and the server, as far as it could be told.
    public struct Pooler: Sendable, Equatable {
        /// Whether one sits in between; `nil` when that could not be told.
        public var detected: Bool?
        /// Which one (`pgbouncer`, `supavisor`), when known.
        public var kind: String?
        /// Its pool mode (`transaction`, `session`), when known.
        public var mode: String?
        /// The same for people, with how it was told.
        public var description: String

        /// Creates a description of a pooler, or of its absence.
        public init(detected: Bool?, kind: String? = nil, mode: String? = nil, description: String) {
            self.detected = detected
            self.kind = kind
            self.mode = mode
            self.description = description
        }
    }

    /// The encryption in use; `nil` for a database without a network (SQLite).
    public var tls: TLS?
    /// A connection pooler between the client and the database; `nil` when the database has none to detect.
    public var pooler: Pooler?

    /// Creates details.
    public init(tls: TLS? = nil, pooler: Pooler? = nil) {
        self.tls = tls
        self.pooler = pooler
    }
}
