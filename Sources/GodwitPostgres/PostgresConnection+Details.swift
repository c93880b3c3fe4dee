import CLibPQ
import GodwitCore

extension PostgresConnection {
    /// The TLS in use, and any pooler between Godwit and the server.
    ///
    /// A pooler shows itself by the backend process id: libpq learns one when it connects (BackendKeyData),
    /// and a pooler hands out its own, so it differs from the server's `pg_backend_pid()` (asked at connect,
    /// see `StatementStopper`). Supabase's
    /// Supavisor is also known by its host name. PgBouncer's kind and mode are read from its admin console
    /// (`SHOW VERSION`, `SHOW CONFIG`), which answers only users listed in its `admin_users` or `stats_users`.
    /// Godwit behaves the same either way: it keeps no session state between transactions, so it is safe
    /// through a transaction-mode pooler whether one is detected or not.
    public func details() async -> ConnectionDetails {
        let tls = (try? await onThread { self.tlsDescription() }) ?? nil
        return ConnectionDetails(tls: tls, pooler: await poolerDescription())
    }

    private func tlsDescription() -> ConnectionDetails.TLS {
        let mode = effectiveParameter("sslmode") ?? "prefer"
        guard PQsslInUse(connection) == 1 else {
            let advice = ["allow", "prefer"].contains(mode) ? ": the server offered no TLS; sslmode=require insists on it" : ""
            return ConnectionDetails.TLS(
                protocolVersion: nil, sslMode: mode, certificateVerified: false, hostVerified: false,
                description: "none, sslmode=\(mode) (not encrypted\(advice))")
        }
        let version = PQsslAttribute(connection, "protocol").map { String(cString: $0) } ?? "TLS"
        let verification = switch mode {
        case "verify-full": "certificate verified against \(rootCertificate) for host \(settings.value("host") ?? "localhost")"
        case "verify-ca": "certificate verified against \(rootCertificate), host name not checked"
        default: "encrypted; the server's certificate is not verified"
        }
        return ConnectionDetails.TLS(
            protocolVersion: version, sslMode: mode, certificateVerified: mode == "verify-ca" || mode == "verify-full",
            hostVerified: mode == "verify-full", description: "\(version), sslmode=\(mode) (\(verification))")
    }

    private var rootCertificate: String {
        effectiveParameter("sslrootcert") ?? "~/.postgresql/root.crt"
    }

    /// A parameter as libpq used it, defaults applied.
    private func effectiveParameter(_ keyword: String) -> String? {
        guard let options = PQconninfo(connection) else { return nil }
        defer { PQconninfoFree(options) }
        var option = options
        while let name = option.pointee.keyword {
            if String(cString: name) == keyword { return option.pointee.val.map { String(cString: $0) } }
            option += 1
        }
        return nil
    }

    private func poolerDescription() async -> ConnectionDetails.Pooler {
        let port = settings.value("port") ?? "5432"
        let safe = "Godwit keeps no session state, so every command is safe through it"
        if settings.isSupavisor {
            let mode = port == "6543" ? "transaction" : port == "5432" ? "session" : nil
            let shown = mode.map { "\($0) mode (port \(port))" } ?? "port \(port)"
            return ConnectionDetails.Pooler(
                detected: true, kind: "supavisor", mode: mode,
                description: "Supavisor, Supabase's pooler, in \(shown), known by its host name; \(safe)")
        }
        let announced = stopper.announcedPID
        _ = try? await onThread { try self.readProbeAlone() }
        guard let serverPID = stopper.serverProcessID else {
            return ConnectionDetails.Pooler(detected: nil, description: "unknown: the server's backend pid could not be read")
        }
        guard serverPID != Int64(announced) else {
            return ConnectionDetails.Pooler(
                detected: false, description: "none detected (the server's backend pid is the one announced at connect)")
        }
        let seen = "the server's backend pid \(serverPID) is not the \(announced) announced at connect"
        guard let pgbouncer = await pgbouncerConfiguration() else {
            return ConnectionDetails.Pooler(
                detected: true,
                description: "detected (\(seen)); kind and mode unknown (PgBouncer's SHOW needs an admin_users or stats_users login), transaction mode assumed; \(safe)")
        }
        return ConnectionDetails.Pooler(
            detected: true, kind: "pgbouncer", mode: pgbouncer.poolMode,
            description: "\(pgbouncer.version), pool_mode = \(pgbouncer.poolMode) (detected: \(seen); mode from its SHOW CONFIG); \(safe)")
    }

    /// PgBouncer's version and default pool mode, from its admin console; `nil` when it does not answer.
    private func pgbouncerConfiguration() async -> (version: String, poolMode: String)? {
        let console = settings.replacing("dbname", with: "pgbouncer").replacing("connect_timeout", with: "3")
        return try? await onThread {
            let admin = try PostgresConnection.open(console, on: self.thread, probing: false)
            guard let version = admin.simpleQuery("SHOW VERSION").first?.first,
                let poolMode = admin.simpleQuery("SHOW CONFIG").first(where: { $0.first == "pool_mode" })?.dropFirst().first
            else { return nil }
            return (version, poolMode)
        }
    }

    /// A query in the simple protocol (PgBouncer's console knows no other), as text; empty on failure.
    private func simpleQuery(_ sql: String) -> [[String]] {
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_TUPLES_OK else { return [] }
        return (0..<PQntuples(result)).map { row in
            (0..<PQnfields(result)).map { String(cString: PQgetvalue(result, row, $0)) }
        }
    }
}
