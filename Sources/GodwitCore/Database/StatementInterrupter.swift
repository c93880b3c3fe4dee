import Synchronization

/// Lets a cancelled task stop the statement it is waiting for on a connection's thread.
///
/// A driver runs each call through ``run(on:_:)``; when the awaiting task is cancelled, the driver's
/// `interrupt` (libpq's `PQcancel`, `sqlite3_interrupt`) is called while that call runs, and a call
/// cancelled after it was made but before its work started does not start (it fails as cancelled), so that
/// a cancellation is never lost in the moment before a statement begins. A call made by a task already cancelled runs as usual: it is the engine's cleanup (`ROLLBACK`).
/// A late request cannot hit the next statement (a `ROLLBACK`, say): each call has its own number.
/// Between statements the engine checks for cancellation itself.
public final class StatementInterrupter: @unchecked Sendable {
    // @unchecked: `interrupt` is called with `handle` from any thread, which the driver's C library allows
    // for that call.
    private let state = Mutex(State())
    private let handle: OpaquePointer
    private let interrupt: @Sendable (OpaquePointer) -> Void

    /// Which call runs, and which calls were cancelled before they started.
    private struct State {
        var nextCall: UInt64 = 0
        var running: UInt64?
        var lastStarted: UInt64 = 0
        var cancelledBeforeStart: Set<UInt64> = []
    }

    /// - Parameters:
    ///   - handle: what `interrupt` needs (libpq's `PGcancel`, the `sqlite3` connection), owned by the driver.
    ///   - interrupt: stops the running statement; called from another thread than the connection's, so it
    ///     must return at once (`sqlite3_interrupt`; a driver whose stop does I/O hands it to a thread of its own).
    public init(handle: OpaquePointer, interrupt: @escaping @Sendable (OpaquePointer) -> Void) {
        self.handle = handle
        self.interrupt = interrupt
    }

    /// Runs `work` on `thread` and returns its result; cancelling the calling task interrupts it.
    public func run<T>(on thread: ConnectionThread, _ work: () throws -> T) async throws -> T {
        let call = newCall(cancellable: !Task.isCancelled)
        return try await withTaskCancellationHandler {
            try await thread.run {
                guard start(call) else { throw StatementInterrupter.notStarted }
                defer { finish(call) }
                return try work()
            }
        } onCancel: {
            cancel(call)
        }
    }

    /// What a call whose task was cancelled before it started throws.
    static let notStarted = DatabaseError(
        message: "not started: the task was cancelled before the statement began", kind: .cancelled)

    /// A number for a new call; 0 for one that no cancellation may stop (its task was cancelled already).
    private func newCall(cancellable: Bool) -> UInt64 {
        guard cancellable else { return 0 }
        return state.withLock { state in
            state.nextCall += 1
            return state.nextCall
        }
    }

    /// Marks `call` running, unless its task was cancelled before.
    private func start(_ call: UInt64) -> Bool {
        guard call != 0 else { return true }
        return state.withLock { state in
            state.lastStarted = max(state.lastStarted, call)
            if state.cancelledBeforeStart.remove(call) != nil { return false }
            state.running = call
            return true
        }
    }

    private func finish(_ call: UInt64) {
        state.withLock { state in
            if state.running == call { state.running = nil }
        }
    }

    /// Interrupts `call` if it runs; remembers the cancellation if it has not started yet.
    private func cancel(_ call: UInt64) {
        guard call != 0 else { return }
        state.withLock { state in
            if state.running == call {
                interrupt(handle)
            } else if call > state.lastStarted {
                state.cancelledBeforeStart.insert(call)
            }
        }
    }
}
