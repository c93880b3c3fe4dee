#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import GodwitCore

/// Keeps other Godwit processes from migrating one SQLite database: an exclusive `flock` on a file beside
/// it (`dev.sqlite3.godwit-lock`), which the kernel frees when the holder exits or dies.
///
/// The database's own write lock cannot serve: a migration that runs outside a transaction (`VACUUM`)
/// needs the lock held across several transactions. The holder writes its pid, host and start time into
/// the file, so a runner that gives up can say who holds it. The file is removed when the lock is freed.
final class SQLiteProcessLock: ProcessLock, @unchecked Sendable {
    // @unchecked: `descriptor` is written once in `init` and by `release`, which runs once per owner.
    private var descriptor: Int32
    private let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { release() }

    func release() {
        guard descriptor >= 0 else { return }
        // Unlink while still holding the lock: a runner that opened the old file re-checks after locking.
        unlink(path)
        close(descriptor)
        descriptor = -1
    }

    /// Takes the lock for the database at `databasePath`, waiting up to `timeout`.
    ///
    /// - Parameter whileWaiting: told who holds it when the wait begins and about every 5 s after.
    static func acquire(
        databasePath: String, timeout: Duration, whileWaiting: (@Sendable (String, Duration) -> Void)? = nil
    ) async throws -> SQLiteProcessLock {
        let path = databasePath + ".godwit-lock"
        var backoff = Backoff(first: .milliseconds(10), maximum: .milliseconds(500), jitter: 0.5...1, limit: timeout)
        let clock = ContinuousClock()
        let waitStart = clock.now
        var nextReport = waitStart
        while true {
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw GodwitError(
                    code: .cannotWrite, summary: "cannot create the lock file '\(path)': \(String(cString: strerror(errno)))",
                    details: ["Godwit needs to write beside the database file; nothing was run"])
            }
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
                if isStillAt(path, descriptor) {
                    let lock = SQLiteProcessLock(descriptor: descriptor, path: path)
                    lock.describeHolder()
                    return lock
                }
                close(descriptor)  // the holder removed the file after we opened it: take the new one
                continue
            }
            let holder = readHolder(descriptor)
            close(descriptor)
            if let whileWaiting, clock.now >= nextReport {
                whileWaiting(holder ?? "another Godwit process", clock.now - waitStart)
                nextReport = clock.now + MigrationProgress.waitReportInterval
            }
            if backoff.isPastLimit {
                throw GodwitError(
                    code: .locked,
                    summary: "gave up waiting for the migration lock after \(timeout.limitText) s: held by \(holder ?? "another Godwit process")",
                    details: [
                        "that process is still migrating \(databasePath); the lock ends when it exits, even if it crashes",
                        "wait longer with --lock-timeout SECONDS or GODWIT_LOCK_TIMEOUT", "nothing was run",
                    ])
            }
            try await backoff.pause(
                waitingFor: "the migration lock", consequence: "nothing was run: this runner never held the lock")
        }
    }

    /// Whether the locked descriptor is still the file at `path` (not one unlinked by its last holder).
    private static func isStillAt(_ path: String, _ descriptor: Int32) -> Bool {
        var opened = stat()
        var current = stat()
        guard fstat(descriptor, &opened) == 0, stat(path, &current) == 0 else { return false }
        return opened.st_ino == current.st_ino && opened.st_dev == current.st_dev
    }

    private func describeHolder() {
        var host = [UInt8](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        let hostName = String(decoding: host.prefix { $0 != 0 }, as: UTF8.self)
        let since = MigrationTime.iso8601(epochMilliseconds: Int64(time(nil)) * 1000)
        let text = "godwit pid \(getpid()) on \(hostName), since \(since)\n"
        _ = ftruncate(descriptor, 0)
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    private static func readHolder(_ descriptor: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[..<count], as: UTF8.self).split(whereSeparator: \.isNewline).first
        return text.map(String.init)
    }
}

extension SQLiteConnection {
    /// The process lock for this database file (see `SQLiteProcessLock`).
    public func acquireProcessLock(
        timeout: Duration, whileWaiting: (@Sendable (_ holder: String, _ waited: Duration) -> Void)?
    ) async throws -> (any ProcessLock)? {
        guard path != ":memory:", !path.isEmpty else { return nil }
        return try await SQLiteProcessLock.acquire(databasePath: path, timeout: timeout, whileWaiting: whileWaiting)
    }
}
