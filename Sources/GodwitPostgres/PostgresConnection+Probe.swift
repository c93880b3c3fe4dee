import CLibPQ
import GodwitCore

/// The probe that tells whether a pooler sits in front (see `StatementStopper`): `SELECT pg_backend_pid()`
/// sent at connect in libpq's pipeline mode, so that the connection's first query follows it in the same
/// round trip and the decision costs none.
extension PostgresConnection {
    /// Sends `SELECT pg_backend_pid()` without waiting for its answer, in pipeline mode, so that the first
    /// query can follow it before the answer comes. If it cannot be sent, statements are stopped by
    /// shutting the socket.
    func sendProbe() {
        guard PQenterPipelineMode(connection) == 1 else { return stopper.decide() }
        guard PQsendQueryParams(connection, "SELECT pg_backend_pid()", 0, nil, nil, nil, nil, 0) == 1,
            PQpipelineSync(connection) == 1
        else {
            PQexitPipelineMode(connection)
            return stopper.decide()
        }
        probePending = true
    }

    /// Reads the probe's answer and its sync, and decides how statements are stopped; the pipeline stays
    /// open for a query sent behind it.
    ///
    /// Anything but one row of one column means the answers no longer match the questions: a pooler whose
    /// server connection was ended under it (`pg_terminate_backend`, a server restart) sent an error of
    /// its own, and the probe's row then came as the answer to the query behind it (a storm round read
    /// `pg_backend_pid()` as a `knex_migrations` record). Such a connection is given up: its socket is
    /// shut, and this and every later call fail as a lost connection.
    func readProbe() throws {
        guard probePending else { return }
        probePending = false
        var serverPID: Int64?
        var failure: DatabaseError?
        if let result = PQgetResult(connection) {
            if PQresultStatus(result) == PGRES_TUPLES_OK, PQntuples(result) == 1, PQnfields(result) == 1 {
                serverPID = Int64(String(cString: PQgetvalue(result, 0, 0)))
            } else {
                failure = self.failure(of: result) ?? DatabaseError(message: "the connection's first answer was not the one asked for")
            }
            PQclear(result)
            if failure == nil {
                while let rest = PQgetResult(connection) { PQclear(rest) }
            }
        } else {
            failure = DatabaseError(message: "the connection ended before the server's first answer")
        }
        if var failure {
            failure.isConnectionFailure = true
            give(up: failure)
            throw failure
        }
        if let sync = PQgetResult(connection) { PQclear(sync) }
        stopper.decide(serverPID: serverPID)
    }

    /// Reads the probe, if it is pending, and leaves pipeline mode: for calls that do not travel behind it.
    func readProbeAlone() throws {
        guard probePending else { return }
        try readProbe()
        PQexitPipelineMode(connection)
    }

    /// Reads the sync that ends a query sent behind the probe, and leaves pipeline mode.
    func endPipeline() {
        if let sync = PQgetResult(connection) { PQclear(sync) }
        PQexitPipelineMode(connection)
    }
}

extension PostgresConnectionSettings {
    /// Whether the host is Supabase's Supavisor pooler, known by its name (`*.pooler.supabase.com`).
    public var isSupavisor: Bool {
        value("host")?.hasSuffix(".pooler.supabase.com") == true
    }
}
