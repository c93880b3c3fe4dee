/// Why a connection could not be opened, in terms a person can act on.
///
/// Drivers recognise the problem from their database's messages; the command line turns it into advice
/// that names the setting to change (`SUPABASE_DB_PASSWORD`, the host in `DATABASE_URL`, …).
public enum ConnectionProblem: Sendable, Equatable {
    /// The server refused the user's password.
    case authentication(user: String?)
    /// The host name does not resolve.
    case unknownHost(String)
    /// The host answered that nothing listens on the port.
    case refused
    /// The server answered but cannot take the connection yet: it is starting up, recovering, shutting
    /// down, or out of connection slots. `reason` is the server's own words.
    case unavailable(reason: String)
    /// The host is not reachable (no route, network down).
    case unreachable
    /// No answer within the connect timeout.
    case timeout(seconds: Int?)
    /// The server has no database of that name.
    case databaseMissing(String)
    /// The client asked for TLS (`sslmode=require` or stronger) and the server does not offer it.
    case tlsNotOffered
    /// The server accepts this user only over TLS, and the client did not use it.
    case tlsRequiredByServer
    /// The server's certificate is not signed by a trusted CA (`verify-ca`, `verify-full`).
    case untrustedCertificate
    /// The server's certificate names other hosts than the one connected to (`verify-full`).
    case certificateHostMismatch
    /// Certificate verification was asked for without a CA certificate to verify against.
    case missingRootCertificate(path: String?)
}

extension ConnectionProblem {
    /// Whether the problem may go away by itself while a server or its network comes up (a container
    /// starting): nothing listens yet, the server is still starting, no route yet, no DNS name yet, no answer yet. A wrong password, a
    /// missing database or a TLS mismatch will not: waiting for them is pointless.
    public var mayPass: Bool {
        switch self {
        case .refused, .unavailable, .unreachable, .timeout, .unknownHost: true
        case .authentication, .databaseMissing, .tlsNotOffered, .tlsRequiredByServer, .untrustedCertificate,
            .certificateHostMismatch, .missingRootCertificate:
            false
        }
    }
}
