/// How a connection reaches its database, for `status`: encryption and what sits in between.
public struct ConnectionDetails: Sendable, Equatable {
    /// The encryption in use and how it was chosen, e.g. `TLSv1.3, sslmode=require (not verified)`;
    /// `nil` for a database without a network (SQLite).
    public var tls: String?
    /// A connection pooler detected between the client and the database, and how it was detected;
    /// `nil` when the database has none to detect.
    public var pooler: String?

    /// Creates details.
    public init(tls: String? = nil, pooler: String? = nil) {
        self.tls = tls
        self.pooler = pooler
    }
}
