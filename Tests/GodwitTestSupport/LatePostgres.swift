import Foundation

/// A PostgreSQL server of its own that is not running until the test says: a container's database that
/// comes up after the app's container. A copy of the stopped template cluster scripts/lib/postgres.sh made
/// (`GODWIT_PG_TEMPLATE_DATA`: same password and TLS files), on a free port. While it is down, the port
/// refuses connections; while it starts, the server answers "the database system is starting up".
public final class LatePostgres: @unchecked Sendable {
    // @unchecked: used by one test task; `stop` is idempotent.
    /// The port it listens on once started.
    public let port: Int
    private let folder: URL
    private var started = false
    /// A start scheduled by ``start(after:)``, which ``stop()`` waits for.
    private let scheduledStart = DispatchGroup()
    private var scheduledStartError: (any Error)?

    private init(folder: URL, port: Int) {
        self.folder = folder
        self.port = port
    }

    /// Copies the template cluster (on a thread of its own); the server is not started.
    public static func make() async throws -> LatePostgres {
        let template = try TestDatabase.testSetting("GODWIT_PG_TEMPLATE_DATA")
        let clusters = URL(fileURLWithPath: template).deletingLastPathComponent()
        let server = LatePostgres(
            folder: clusters.appendingPathComponent("late-\(UUID().uuidString.prefix(8))"), port: try SilentListener.freePort())
        let folder = server.folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        try await onOwnThread {
            try Spawn.runOnThisThread("/bin/cp", ["-a", template, folder.appendingPathComponent("data").path])
            if getuid() == 0 {
                try Spawn.runOnThisThread("/bin/chown", ["-R", "postgres:", folder.path])
            }
        }
        return server
    }

    /// Runs `body` with a server that is not started yet, then stops it and removes its files, whether
    /// `body` succeeded or threw.
    public static func with<T: Sendable>(_ body: (LatePostgres) async throws -> T) async throws -> T {
        let server = try await make()
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// A URL for the `postgres` superuser on this server (TLS required, as the main test server's).
    public func url(database: String = "postgres") throws -> String {
        let password = try TestDatabase.testSetting("GODWIT_PG_PASSWORD")
        return "postgres://postgres:\(password)@127.0.0.1:\(port)/\(database)?sslmode=require"
    }

    /// Its `postgres` database as a test database, with a new folder for migrations.
    public func database() throws -> TestDatabase {
        TestDatabase(kind: .postgres, url: try url(), folder: try TestFolder.make())
    }

    /// Starts the server `delay` from now, from a thread of its own: the moment does not depend on the
    /// cooperative pool, however busy the other tests keep it.
    public func start(after delay: Duration) {
        started = true
        scheduledStart.enter()
        let thread = Thread { [self] in
            Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
            do {
                try pgCtl(["start", "-W", "-o", "-p \(port) -k \(folder.path)", "-l", folder.appendingPathComponent("server.log").path])
            } catch {
                scheduledStartError = error
            }
            scheduledStart.leave()
        }
        thread.start()
    }

    /// The end of the server's log, to show when it did not come up.
    public func logTail() -> String {
        var log = (try? String(contentsOf: folder.appendingPathComponent("server.log"), encoding: .utf8)) ?? "(no server log)"
        if let scheduledStartError { log += "\n(the scheduled start failed: \(scheduledStartError))" }
        return "--- late server's log (port \(port))\n" + log.split(separator: "\n", omittingEmptySubsequences: false).suffix(15).joined(separator: "\n")
    }

    /// Stops the server at once (if it runs) and removes its files, on a thread of its own.
    public func stop() async {
        _ = try? await onOwnThread { [self] in stopOnThisThread() }
    }

    private func stopOnThisThread() {
        scheduledStart.wait()
        // A server started a moment ago may not have written its pid file yet: pg_ctl then finds none.
        var attempts = 0
        while started, (try? pgCtl(["stop", "-m", "immediate", "-w"])) == nil, attempts < 50 {
            attempts += 1
            usleep(100_000)
        }
        started = false
        try? FileManager.default.removeItem(at: folder)
    }

    deinit { stopOnThisThread() }

    private func pgCtl(_ arguments: [String]) throws {
        guard FileManager.default.fileExists(atPath: folder.path) else { return }
        let pgCtl = (ProcessInfo.processInfo.environment["GODWIT_PG_BIN"] ?? "/usr/lib/postgresql/15/bin") + "/pg_ctl"
        let command = [pgCtl, "-D", folder.appendingPathComponent("data").path] + arguments
        if getuid() == 0 {
            try Spawn.runOnThisThread("/usr/sbin/runuser", ["-u", "postgres", "--"] + command)
        } else {
            try Spawn.runOnThisThread(command[0], Array(command.dropFirst()))
        }
    }
}
