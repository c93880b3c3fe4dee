#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

// The migration lock: one runner migrates a database at a time, Godwit's and Knex's alike, and the lock never
// outlives its holder. Its pieces, all in this folder:
//
// - The lock row (`knex_migrations_lock`, Knex's table; its SQL in LockTables.swift), taken inside the
//   transaction that does the work, so it ends with that transaction: commit, rollback, or a connection lost
//   with its process. PostgreSQL: `SELECT … FOR UPDATE NOWAIT` on the row, which Knex's own
//   `UPDATE … SET is_locked = 1` waits on; SQLite: the transaction's write lock (`BEGIN IMMEDIATE`).
// - Knex's flag, `is_locked = 1` with no lease: a Knex runner holds the lock (or died holding it; `godwit
//   unlock` frees it). While it is set, Godwit watches it with plain reads, not transactions (`beginLocked`).
// - The lease (MigrationLease.swift), for a batch that runs step by step (a `transaction:false` or
//   `transaction:own` migration): the lock cannot stay in an open transaction there, so it is committed as
//   `is_locked = 1`, which keeps Knex out, with a row in `knex_migrations_godwit_lease` that the holder renews
//   from a second connection. A runner that finds the lease expired takes the lock over; a holder that
//   could not renew in time stops before its next statement.
// - SQLite's process lock (`DatabaseConnection.acquireProcessLock`: an `flock` on `<database>.godwit-lock`),
//   held for the whole command. SQLite has no second connection that could renew a lease while the first
//   writes, so there the lease row is written expired from the start and only the `flock`, which the
//   operating system frees when its process dies, tells a live holder from a dead one: a runner holding the
//   `flock` that finds a lease knows its holder died. PostgreSQL needs no process lock.
// - Waiting: polls with growing, jittered pauses (`Backoff`) up to the lock timeout, said once at notice
//   level; when the wait ends, the error names the holder (its session and since when, or its lease, or
//   Knex's flag) and what to do.
extension MigrationEngine {
    /// Runs `body` holding the database's process lock, if it needs one (SQLite), for the whole command.
    func holdingProcessLock<T>(_ body: () async throws -> T) async throws -> T {
        let limit = settings.lockTimeout
        var waiting: (@Sendable (String, Duration) -> Void)?
        if let progress { waiting = { holder, waited in progress(.waitingForLock(holder: holder, waited: waited, limit: limit)) } }
        let processLock = try await connection.acquireProcessLock(timeout: limit, whileWaiting: waiting)
        defer { processLock?.release() }
        return try await body()
    }

    /// Begins a transaction on `lockLog`'s connection and takes the lock row in it, waiting (polling with
    /// growing, jittered pauses) while another transaction holds it or a Knex runner has set `is_locked`.
    func beginLocked(_ lockLog: MigrationLog, consequence: String) async throws {
        var backoff = Backoff(first: .milliseconds(20), maximum: .seconds(1), jitter: 0.5...1, limit: settings.lockTimeout)
        var announced = false
        var attempt = MigrationLog.LockAttempt.taken
        let clock = ContinuousClock()
        let waitStart = clock.now
        var nextReport = waitStart
        while true {
            // While a Knex runner holds its flag, it is watched with a plain read: a transaction would take
            // SQLite's write lock at each poll, and a Knex runner (no busy timeout) writing at that moment
            // fails, its lock left set.
            let knexStillHolds: Bool
            if case .heldByKnex = attempt { knexStillHolds = (try? await lockLog.isFlagSet()) ?? false } else { knexStillHolds = false }
            if !knexStillHolds {
                try await begin(on: lockLog.connection, consequence: consequence)
                do {
                    attempt = try await lockLog.tryLock()
                } catch {
                    _ = try? await lockLog.connection.query("ROLLBACK")
                    throw bookkeepingError(error, consequence: consequence)
                }
                if case .taken = attempt { return }
                _ = try? await lockLog.connection.query("ROLLBACK")
            }
            if backoff.isPastLimit {
                throw await lockTimeoutError(attempt, lockLog: lockLog)
            }
            if !announced {
                announced = true
                logger.notice("another runner holds the migration lock; waiting up to \(settings.lockTimeout.limitText) s")
            }
            if let progress, clock.now >= nextReport {
                progress(.waitingForLock(
                    holder: await holderDescription(attempt, lockLog: lockLog), waited: clock.now - waitStart,
                    limit: settings.lockTimeout))
                nextReport = clock.now + MigrationProgress.waitReportInterval
            }
            try await backoff.pause(
                waitingFor: "the migration lock", consequence: "nothing was run: this runner never held the lock")
        }
    }

    /// Who holds the lock, for a runner that waits: the holder's session and since when, its lease, or
    /// Knex's flag.
    func holderDescription(_ attempt: MigrationLog.LockAttempt, lockLog: MigrationLog) async -> String {
        switch attempt {
        case .heldByKnex:
            return "a Knex runner (\(log.lockTableName).is_locked is 1)"
        case .busy(let leaseHolder?):
            return "\(leaseHolder), under a lease it renews"
        case .busy(nil), .taken:
            guard let holder = await lockLog.holder() else { return "another runner" }
            guard let since = holder.sinceEpochMilliseconds else { return holder.description }
            return "\(holder.description), in a transaction open since \(MigrationTime.iso8601(epochMilliseconds: since))"
        }
    }

    func lockTimeoutError(_ attempt: MigrationLog.LockAttempt, lockLog: MigrationLog) async -> GodwitError {
        switch attempt {
        case .heldByKnex:
            return GodwitError.lockTimeout(
                limit: settings.lockTimeout, holder: "\(log.lockTableName).is_locked is 1",
                details: [
                    "a Knex runner is migrating, or one died while holding the lock (Godwit's own lock never stays set)",
                    "if no Knex migration is running, free it with 'godwit unlock'",
                ])
        case .busy(let leaseHolder?):
            return GodwitError.lockTimeout(
                limit: settings.lockTimeout, holder: "held by \(leaseHolder), whose lease is still being renewed",
                details: [
                    "that runner is still migrating (a batch with transaction:false migrations); if it dies, its lease expires within \(settings.leaseDuration.components.seconds) s and the lock frees by itself",
                ])
        case .busy(nil), .taken:
            guard let holder = await lockLog.holder() else {
                return GodwitError.lockTimeout(
                    limit: settings.lockTimeout, holder: "another runner is still migrating", details: [])
            }
            var description = holder.description
            if let since = holder.sinceEpochMilliseconds {
                description += ", in a transaction open since \(MigrationTime.iso8601(epochMilliseconds: since))"
            }
            return GodwitError.lockTimeout(
                limit: settings.lockTimeout, holder: "held by \(description)",
                details: [
                    "that runner is still migrating; its lock ends with its transaction, even if it crashes",
                    "if it hangs, end its session from psql: SELECT pg_terminate_backend(<backend pid>) — its transaction rolls back and the lock frees",
                ])
        }
    }
}
