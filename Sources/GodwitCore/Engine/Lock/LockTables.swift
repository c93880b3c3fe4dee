// The lock's SQL: the row of `knex_migrations_lock` (Knex's table) and Godwit's lease beside it, in
// `knex_migrations_godwit_lease`. How the pieces fit together: MigrationLock.swift.
extension MigrationLog {
    /// What an attempt to take the lock found.
    enum LockAttempt: Sendable {
        /// The lock row is this transaction's until it ends.
        case taken
        /// Another runner holds the lock: in an open transaction (`holder` unknown), or by a lease.
        case busy(holder: String?)
        /// `is_locked` is 1 with no lease: a Knex runner holds the lock, or died holding it.
        case heldByKnex
    }

    /// Tries to take the lock row inside the caller's transaction, without waiting.
    ///
    /// The row stays locked until the transaction ends, by commit, rollback or a lost connection, so this
    /// lock can never outlive its holder. Knex's `UPDATE … SET is_locked = 1` waits on the same row.
    /// `is_locked = 1` means a runner holds the lock across transactions: Godwit's with a lease in
    /// `knex_migrations_godwit_lease`, or Knex's without one. An expired lease (its holder died) is cleared
    /// in the caller's transaction and the lock is taken. After `.busy` the transaction may be aborted:
    /// the caller rolls it back.
    func tryLock() async throws -> LockAttempt {
        let rows: [SQLRow]
        do {
            rows = try await connection.query(dialect.lockRowQuery(lockTable: lockTableName))
        } catch let error as DatabaseError where error.kind == .lockNotAvailable {
            return .busy(holder: nil)
        }
        if rows.isEmpty {
            try await ensureLockRow()
            return .taken
        }
        guard rows.contains(where: { $0[0].integer == 1 }) else { return .taken }
        let lease = try await connection.query(
            #"SELECT "holder", "expires_at" - \#(dialect.currentEpochMilliseconds) FROM \#(leaseTable)"#)
        guard let holder = lease.first?[0].text, let remaining = lease.first?[1].integer else { return .heldByKnex }
        guard remaining <= 0 else { return .busy(holder: holder) }
        // The lease ran out: its holder died (or stalled) without freeing the lock.
        _ = try await connection.query(#"UPDATE \#(lockTable) SET "is_locked" = 0"#)
        _ = try await connection.query(#"DELETE FROM \#(leaseTable)"#)
        return .taken
    }

    /// Whether `is_locked` is 1, read outside any transaction (a Knex runner's flag is watched this way).
    func isFlagSet() async throws -> Bool {
        try await !connection.query(#"SELECT 1 FROM \#(lockTable) WHERE "is_locked" = 1"#).isEmpty
    }

    /// Turns the lock row taken in the caller's transaction into a lease that outlives it: `is_locked = 1`
    /// (which Knex respects) and a lease row that expires `milliseconds` from now unless renewed.
    func takeLease(token: String, holder: String, milliseconds: Int64) async throws {
        _ = try await connection.query(#"UPDATE \#(lockTable) SET "is_locked" = 1"#)
        try await insert(
            into: leaseTable, columns: ["id", "token", "holder", "expires_at"],
            rows: [[.integer(1), .text(token), .text(holder), .integer(0)]],
            suffix: #" ON CONFLICT ("id") DO UPDATE SET "token" = excluded."token", "holder" = excluded."holder""#)
        guard try await renewLease(token: token, milliseconds: milliseconds) else {
            throw DatabaseError(message: "the lease row vanished while being taken")
        }
    }

    /// Pushes the lease's expiry `milliseconds` past now; `false` when the lease is no longer `token`'s.
    func renewLease(token: String, milliseconds: Int64) async throws -> Bool {
        !(try await connection.query(
            #"""
            UPDATE \#(leaseTable) SET "expires_at" = \#(dialect.currentEpochMilliseconds) + \#(dialect.placeholder(1)) \#
            WHERE "token" = \#(dialect.placeholder(2)) RETURNING "id"
            """#, [.integer(milliseconds), .text(token)]).isEmpty)
    }

    /// Frees the lock held by lease `token` (if it is still that lease's). Call it inside a transaction.
    func releaseLease(token: String) async throws {
        let removed = try await connection.query(
            #"DELETE FROM \#(leaseTable) WHERE "token" = \#(dialect.placeholder(1)) RETURNING "id""#, [.text(token)])
        if !removed.isEmpty {
            _ = try await connection.query(#"UPDATE \#(lockTable) SET "is_locked" = 0"#)
        }
    }

    /// Who holds the lock row in an open transaction, and since when; `nil` when unknown.
    func holder() async -> (description: String, sinceEpochMilliseconds: Int64?)? {
        guard let sql = dialect.lockHolderQuery,
            let row = try? await connection.query(sql, [.text(lockTable)]).first, let description = row[0].text
        else { return nil }
        return (description, row[1].integer)
    }

    /// Frees a stuck Knex lock as `knex migrate:unlock` does: every row deleted, one free row inserted.
    func forceUnlock() async throws {
        _ = try await connection.query(#"DELETE FROM \#(lockTable)"#)
        try await ensureLockRow()
    }

    /// Inserts the lock row, unlocked, when the table has none (as Knex does).
    func ensureLockRow() async throws {
        _ = try await connection.query(
            #"INSERT INTO \#(lockTable) ("is_locked") SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM \#(lockTable))"#)
    }
}
