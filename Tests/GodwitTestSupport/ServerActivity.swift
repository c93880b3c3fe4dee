import GodwitCore

/// Waits (up to 30 s) until another session of the connection's PostgreSQL database is running a
/// statement whose text holds `fragment`; throws if none does by then.
public func waitUntilRunning(_ fragment: String, on connection: any DatabaseConnection) async throws {
    for _ in 0..<600 {
        let running = try await connection.query(
            "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid() AND position($1 in query) > 0",
            [.text(fragment)])
        if !running.isEmpty { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TestSetupError("no session ran a statement holding '\(fragment)' within 30 s")
}
