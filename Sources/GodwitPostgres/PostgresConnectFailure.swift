import GodwitCore

/// Reads libpq's message for a connection that could not be opened: the reason a person needs, and the
/// `ConnectionProblem` it stands for, so the command line can say which setting to change.
///
/// libpq prints one paragraph per attempt (`sslmode=prefer` tries TLS, then plain), each led by
/// `connection to server at "host", port N failed:`; the first attempt's reason is the one that matters.
/// The server's part (`FATAL:  password authentication failed …`) is in the server's language: Supabase's
/// is English, and an unrecognised message is still shown, with no advice.
enum PostgresConnectFailure {
    static func error(libpqMessage: String, settings: PostgresConnectionSettings) -> DatabaseError {
        let message = settings.redact(libpqMessage)
        let reason = Self.reason(in: message)
        return DatabaseError(
            message: reason, isConnectionFailure: true, connectionProblem: problem(reason, settings: settings))
    }

    /// The first attempt's reason, without the "connection to server … failed:" and "FATAL:" prefixes.
    static func reason(in message: String) -> String {
        var line = Substring(message.split(separator: "\n").first ?? "")
        if line.hasPrefix("connection to server"), let failed = line.firstRange(of: " failed: ") {
            line = line[failed.upperBound...]
        }
        for prefix in ["FATAL:", "ERROR:"] where line.hasPrefix(prefix) {
            line = line.dropFirst(prefix.count).drop { $0 == " " }
        }
        return String(line)
    }

    private static func problem(_ reason: String, settings: PostgresConnectionSettings) -> ConnectionProblem? {
        func quoted(after marker: String) -> String? {
            guard let start = reason.firstRange(of: marker)?.upperBound,
                let end = reason[start...].firstIndex(of: "\"")
            else { return nil }
            return String(reason[start..<end])
        }
        if reason.contains("password authentication failed") || reason.contains("SASL authentication failed")
            || reason.contains("no password supplied")
        {
            return .authentication(user: settings.value("user"))
        }
        if let host = quoted(after: "could not translate host name \"") { return .unknownHost(host) }
        if reason.contains("Connection refused") { return .refused }
        let unavailable = [
            "the database system is starting up", "the database system is not yet accepting connections",
            "the database system is in recovery mode", "the database system is shutting down",
            "too many clients already", "remaining connection slots are reserved",
            "no more connections allowed",  // PgBouncer at max_client_conn
        ]
        if let phrase = unavailable.first(where: reason.contains) { return .unavailable(reason: phrase) }
        if reason.contains("No route to host") || reason.contains("Network is unreachable") { return .unreachable }
        if reason.contains("timeout expired") { return .timeout(seconds: settings.value("connect_timeout").flatMap { Int($0) }) }
        if let database = quoted(after: "database \""), reason.hasSuffix("does not exist") {
            return .databaseMissing(database)
        }
        if reason.contains("server does not support SSL") { return .tlsNotOffered }
        if reason.contains("pg_hba.conf") && reason.hasSuffix("no encryption") { return .tlsRequiredByServer }
        if reason.contains("certificate verify failed") { return .untrustedCertificate }
        if reason.contains("does not match host name") { return .certificateHostMismatch }
        if reason.hasPrefix("root certificate file") { return .missingRootCertificate(path: quoted(after: "file \"")) }
        return nil
    }
}
