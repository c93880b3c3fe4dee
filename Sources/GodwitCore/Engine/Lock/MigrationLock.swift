#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

// Taking the migration lock: the lock row in a transaction, waiting out other runners and Knex's flag, and
// saying who holds it when the wait ends. The lease (`MigrationLease`) keeps it across transactions.
extension MigrationEngine {
    /// Begins a transaction on `lockLog`'s connection and takes the lock row in it, waiting (polling with
    /// growing, jittered pauses) while another transaction holds it or a Knex runner has set `is_locked`.
    func beginLocked(_ lockLog: MigrationLog, consequence: String) async throws {
        var backoff = Backoff(first: .milliseconds(20), maximum: .seconds(1), jitter: 0.5...1, limit: settings.lockTimeout)
        var announced = false
        var attempt = MigrationLog.LockAttempt.taken
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
            try await backoff.pause(
                waitingFor: "the migration lock", consequence: "nothing was run: this runner never held the lock")
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
