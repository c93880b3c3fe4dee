import Dispatch
import Synchronization

/// Lets a cancelled task stop the statement it is waiting for on a connection's queue.
///
/// A driver runs each call on its serial queue through ``run(on:_:)``; when the awaiting task is
/// cancelled, the driver's `interrupt` (libpq's `PQcancel`, `sqlite3_interrupt`) is called, but only
/// while a call is running, so that a late request cannot hit the next statement, a `ROLLBACK` say.
/// Between statements the engine checks for cancellation itself.
public final class StatementInterrupter: @unchecked Sendable {
    // @unchecked: `interrupt` is called with `handle` from any thread, which the driver's C library allows
    // for that call.
    private let running = Mutex(false)
    private let handle: OpaquePointer
    private let interrupt: @Sendable (OpaquePointer) -> Void

    /// - Parameters:
    ///   - handle: what `interrupt` needs (libpq's `PGcancel`, the `sqlite3` connection), owned by the driver.
    ///   - interrupt: stops the running statement; called from another thread than the queue's.
    public init(handle: OpaquePointer, interrupt: @escaping @Sendable (OpaquePointer) -> Void) {
        self.handle = handle
        self.interrupt = interrupt
    }

    /// Runs `work` on `queue` and returns its result; cancelling the calling task interrupts it.
    public func run<T: Sendable>(on queue: DispatchQueue, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                queue.async {
                    self.setRunning(true)
                    let result = Result { try work() }
                    self.setRunning(false)
                    continuation.resume(with: result)
                }
            }
        } onCancel: {
            interruptIfRunning()
        }
    }

    /// Runs `work` on the calling thread, one call at a time (`exclusion` serialises them, as a serial
    /// queue would, without its two thread switches per call); cancelling the calling task interrupts it.
    /// For work that is short or local (SQLite): it occupies the caller's thread while it runs.
    public func runHere<T: Sendable>(
        exclusively exclusion: borrowing Mutex<Void>, _ work: () throws -> T
    ) async throws -> T {
        try await withTaskCancellationHandler {
            try exclusion.withLock { _ in
                setRunning(true)
                defer { setRunning(false) }
                return try work()
            }
        } onCancel: {
            interruptIfRunning()
        }
    }

    private func interruptIfRunning() {
        running.withLock { running in
            if running { interrupt(handle) }
        }
    }

    private func setRunning(_ value: Bool) {
        running.withLock { $0 = value }
    }
}
