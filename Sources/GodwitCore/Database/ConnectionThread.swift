import Dispatch

/// The thread a connection's calls run on: a serial queue of its own, never a thread of Swift's
/// cooperative pool, so a call that blocks (SQLite waiting for another process's write lock, libpq waiting
/// for the network) holds only this thread.
///
/// It is a `TaskExecutor`. The engine runs each command with this executor as its preference
/// (``DatabaseConnection/executor``), so the engine's own code runs on the connection's thread too and a
/// driver call is made inline, with no thread switch; a call from code running elsewhere hops here and
/// back. Calls run one at a time: the queue is serial and a driver call does not suspend.
public final class ConnectionThread: TaskExecutor, @unchecked Sendable {
    // @unchecked: `queue` and `identity` are immutable; the queue serialises the jobs.
    private let queue: DispatchQueue
    private let identity: UInt
    private static let key = DispatchSpecificKey<UInt>()

    /// A new thread, named `label` in debuggers and crash reports.
    public init(label: String) {
        queue = DispatchQueue(label: label)
        identity = UInt.random(in: 1 ... .max)
        queue.setSpecific(key: ConnectionThread.key, value: identity)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Whether the calling code runs on this thread.
    public var isCurrent: Bool {
        DispatchQueue.getSpecific(key: ConnectionThread.key) == identity
    }

    /// Runs `work` on this thread: inline when already on it, else after a hop here (and back after).
    public func run<T>(_ work: () throws -> T) async throws -> T {
        if isCurrent { return try work() }
        return try await withTaskExecutorPreference(self) {
            try work()
        }
    }
}
