#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

// Transactions: one helper for every transaction the engine opens, the settings of a migration
// transaction, and the retry of a batch whose statement timed out waiting for a table lock.
extension MigrationEngine {
    /// Runs `body` in a transaction on `log`'s connection (the main one by default), holding the lock row
    /// when `locking`; on any error rolls back and rethrows, naming the failed phase.
    @discardableResult
    func transaction<T: Sendable>(
        on log: MigrationLog? = nil, consequence: String, locking: Bool = false, _ body: () async throws -> T
    ) async throws -> T {
        let log = log ?? self.log
        if locking {
            try await beginLocked(log, consequence: consequence)
        } else {
            try await begin(on: log.connection, consequence: consequence)
        }
        let result: T
        do {
            result = try await body()
        } catch {
            logger.debug("rolling back after: \(error)")
            _ = try? await log.connection.query("ROLLBACK")
            throw bookkeepingError(error, consequence: consequence)
        }
        do {
            _ = try await log.connection.query("COMMIT")
        } catch let error as DatabaseError {
            throw GodwitError.transaction(phase: .commit, error: error, consequence: consequence)
        }
        return result
    }

    func begin(on connection: any DatabaseConnection, consequence: String) async throws {
        do {
            _ = try await connection.query(connection.dialect.beginTransaction)
        } catch let error as DatabaseError {
            throw GodwitError.transaction(phase: .begin, error: error, consequence: consequence)
        }
    }

    func bookkeepingError(_ error: any Error, consequence: String) -> any Error {
        guard let databaseError = error as? DatabaseError else { return error }
        return GodwitError.tracking("bookkeeping in", table: log.tableName, error: databaseError, consequence: consequence)
    }

    /// Bounds how long the current transaction's statements wait for table locks (no limit without a DDL
    /// lock timeout), and how long the server keeps it for a client gone silent or dead.
    func boundLockWaits() async throws {
        try await endWithDeadClient(lockTimeoutMilliseconds: settings.ddlLockTimeout.map { Int($0.milliseconds) } ?? 0)
    }

    /// Makes the server end the current transaction once its client is dead or silent for the lease's
    /// duration; its lock waits as `lockTimeoutMilliseconds` says (`nil`: as the session has them).
    func endWithDeadClient(lockTimeoutMilliseconds: Int? = nil) async throws {
        guard let statement = deadClientSettings(lockTimeoutMilliseconds: lockTimeoutMilliseconds) else { return }
        _ = try await connection.query(statement)
    }

    /// The statement of ``endWithDeadClient(lockTimeoutMilliseconds:)``, or `nil` when the database needs none.
    func deadClientSettings(lockTimeoutMilliseconds: Int? = nil) -> String? {
        connection.dialect.transactionSettings(
            lockTimeoutMilliseconds: lockTimeoutMilliseconds, idleLimitMilliseconds: Int(settings.leaseDuration.milliseconds))
    }

    /// Runs `body` again, after a growing pause, when a migration statement timed out waiting for a table lock.
    func retryingLockTimeouts<T>(what: String, _ body: () async throws -> T) async throws -> T {
        var backoff = Backoff(first: .milliseconds(500), maximum: .seconds(60), jitter: 0.8...1.2)
        while true {
            do {
                return try await body()
            } catch let error as GodwitError
                where error.code == .migrationFailed && backoff.pauses < settings.ddlRetries
                && error.databaseError?.kind == .lockNotAvailable
            {
                let pause = backoff.nextPause()
                logger.notice(
                    "\(error.summary): a statement waited too long for a table lock (\(error.databaseError?.message ?? "")); retrying \(what) in \(pause.secondsText) s (retry \(backoff.pauses) of \(settings.ddlRetries))")
                try await sleepUnlessCancelled(
                    for: pause, waitingFor: "a retry", consequence: error.details.last ?? "nothing more was run")
            }
        }
    }
}
