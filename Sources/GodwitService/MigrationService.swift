import Foundation
import GodwitCore
import ServiceLifecycle
import Synchronization

/// A swift-service-lifecycle `Service` that migrates the database when the service group starts, then
/// stays up until the group shuts down (a service that returns would end the group).
///
/// Services that must not start before the schema is migrated wait for ``migrated()``. A failed
/// migration throws from ``run()``, which ends the group: the app does not serve an old schema. A
/// graceful shutdown (SIGTERM) during the migration cancels it: the batch rolls back.
///
/// ```swift
/// let migrations = MigrationService(runner: try MigrationRunner(migrations: GodwitMigrations.all, logger: logger))
/// let group = ServiceGroup(services: [migrations, app], gracefulShutdownSignals: [.sigterm], logger: logger)
/// // in app's run(): try await migrations.migrated()
/// ```
public final class MigrationService: Service, Sendable {
    private let runner: MigrationRunner
    /// The outcome once known, and the callers of ``migrated()`` waiting for it.
    private let state = Mutex<State>(State())

    private struct State {
        var outcome: Result<MigrationReport, any Error>?
        var waiters: [UUID: CheckedContinuation<MigrationReport, any Error>] = [:]
    }

    /// - Parameter runner: the database and the migrations.
    public init(runner: MigrationRunner) {
        self.runner = runner
    }

    /// Migrates, then waits for the group's graceful shutdown.
    ///
    /// - Throws: what ``MigrationRunner/latest()`` throws.
    public func run() async throws {
        let result = await Result { try await runner.latest() }
        finish(result)
        _ = try result.get()
        try? await gracefulShutdown()
    }

    /// Waits until the migrations have run. Ends early, throwing `CancellationError`, when the calling
    /// task is cancelled or its service is shut down gracefully: a service waiting here stops at once.
    ///
    /// - Returns: what was applied.
    /// - Throws: the migration's failure.
    public func migrated() async throws -> MigrationReport {
        try await cancelWhenGracefulShutdown { try await self.outcomeWhenKnown() }
    }

    private func outcomeWhenKnown() async throws -> MigrationReport {
        let id = UUID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let known: Result<MigrationReport, any Error>? = state.withLock { state in
                    if state.outcome == nil {
                        state.waiters[id] = continuation
                        if Task.isCancelled { state.waiters[id] = nil; return .failure(CancellationError()) }
                    }
                    return state.outcome
                }
                if let known { continuation.resume(with: known) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    private func finish(_ result: Result<MigrationReport, any Error>) {
        let waiting = state.withLock { state in
            state.outcome = result
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiting { waiter.resume(with: result) }
    }
}

extension Result where Failure == any Error {
    /// The result of an async throwing call.
    fileprivate init(_ body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
