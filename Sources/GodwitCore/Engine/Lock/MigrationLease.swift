#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The lock of a batch that runs migrations outside transactions, kept as a lease from a second connection.
///
/// Holding the lock row in an open transaction is not possible there: `CREATE INDEX CONCURRENTLY` waits
/// for every transaction older than itself, the lock's included, forever. So the lock is committed
/// (`is_locked = 1`, which Knex respects) with a lease that the holder renews every third of its duration
/// from its own connection, in short autocommit statements that hold no snapshot. If the holder dies, the
/// lease runs out and the next runner takes the lock over by itself. A holder that cannot renew in time
/// stops before its next statement.
actor MigrationLease {
    private let log: MigrationLog
    private let token: String
    private let duration: Duration
    private var lastRenewal: ContinuousClock.Instant
    private var lost: String?
    private var heartbeat: Task<Void, Never>?

    /// A lease on `log`'s connection, not yet taken (see ``take()``).
    init(log: MigrationLog, duration: Duration) {
        self.log = log
        self.token = (0..<4).map { _ in String(UInt64.random(in: .min ... .max), radix: 16) }.joined()
        self.duration = duration
        self.lastRenewal = .now
    }

    /// Writes the lease; call it inside the transaction that holds the lock row.
    func take() async throws {
        try await log.takeLease(token: token, holder: Self.holderDescription(), milliseconds: duration.milliseconds)
        lastRenewal = .now
    }

    /// Starts renewing.
    func start() {
        heartbeat = Task { [weak self] in
            while !Task.isCancelled {
                guard let self else { return }
                try? await Task.sleep(for: self.duration / 3)
                if Task.isCancelled { return }
                guard await self.renew() else { return }
            }
        }
    }

    private func renew() async -> Bool {
        do {
            guard try await log.renewLease(token: token, milliseconds: duration.milliseconds) else {
                lost = "another runner took it over after it expired"
                return false
            }
            lastRenewal = .now
        } catch {
            if ContinuousClock.now - lastRenewal >= duration {
                lost = "it could not be renewed before it expired: \(error)"
                return false
            }
        }
        return true
    }

    /// Throws when the lease was lost, so that nothing more runs without the lock.
    func check() throws {
        if lost == nil, ContinuousClock.now - lastRenewal >= duration {
            lost = "it was not renewed before it expired"
        }
        guard let lost else { return }
        throw GodwitError(
            code: .locked, summary: "lost the migration lock: \(lost)",
            details: ["stopped before the next statement so that two runners never migrate at once"])
    }

    /// Stops renewing and frees the lock, if it is still this lease's; `false` when freeing it failed (the
    /// lease then runs out by itself).
    @discardableResult
    func release() async -> Bool {
        heartbeat?.cancel()
        heartbeat = nil
        guard (try? await log.connection.query(log.connection.dialect.beginTransaction)) != nil else { return false }
        do {
            try await log.releaseLease(token: token)
            _ = try await log.connection.query("COMMIT")
            return true
        } catch {
            _ = try? await log.connection.query("ROLLBACK")
            return false
        }
    }

    private static func holderDescription() -> String {
        let process = ProcessInfo.processInfo
        return "godwit pid \(process.processIdentifier) on \(process.hostName)"
    }
}
