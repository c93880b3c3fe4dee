import Foundation

/// A PostgreSQL server of its own that is not running until the test says: a container's database that
/// comes up after the app's container. A copy of the stopped template cluster scripts/lib/postgres.sh made
/// (`GODWIT_PG_TEMPLATE_DATA`: same password and TLS files), on a free port. While it is down, the port
/// refuses connections; while it starts, the server answers "the database system is starting up".
public final class LatePostgres: @unchecked Sendable {
    // @unchecked: used by one test task; `stop` is idempotent.
    /// The port it listens on once started.
    public let port: Int
    /// The address it listens on: 127.0.0.1, or its network path's server side.
    public let host: String
    private let folder: URL
    private let path: NetworkPath?
    private var started = false
    /// A start scheduled by ``start(after:)``, which ``stop()`` waits for.
    private let scheduledStart = DispatchGroup()
    private var scheduledStartError: (any Error)?

    private init(folder: URL, port: Int, path: NetworkPath?) {
        self.folder = folder
        self.port = port
        self.path = path
        self.host = path?.serverAddress ?? "127.0.0.1"
    }

    /// Copies the template cluster (on a thread of its own); the server is not started. On a network path,
    /// it will run in the path's namespace and listen on its server address.
    public static func make(on path: NetworkPath? = nil) async throws -> LatePostgres {
        let template = try TestDatabase.testSetting("GODWIT_PG_TEMPLATE_DATA")
        let clusters = URL(fileURLWithPath: template).deletingLastPathComponent()
        let server = LatePostgres(
            folder: clusters.appendingPathComponent("late-\(UUID().uuidString.prefix(8))"), port: try SilentListener.freePort(),
            path: path)
        let folder = server.folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        try await onOwnThread {
            try Spawn.runOnThisThread("/bin/cp", ["-a", template, folder.appendingPathComponent("data").path])
            if let path {
                // Clients come from the path's other side.
                let hba = folder.appendingPathComponent("data/pg_hba.conf")
                let handle = try FileHandle(forWritingTo: hba)
                try handle.seekToEnd()
                try handle.write(contentsOf: Data("host all all \(path.hostAddress)/32 scram-sha-256\n".utf8))
                try handle.close()
            }
            if getuid() == 0 {
                try Spawn.runOnThisThread("/bin/chown", ["-R", "postgres:", folder.path])
            }
        }
        return server
    }

    /// Runs `body` with a server that is not started yet, then stops it and removes its files, whether
    /// `body` succeeded or threw.
    public static func with<T: Sendable>(on path: NetworkPath? = nil, _ body: (LatePostgres) async throws -> T) async throws -> T {
        try await using(try await make(on: path), release: { await $0.stop() }, body)
    }

    /// A URL for the `postgres` superuser on this server (TLS required, as the main test server's), with
    /// more libpq parameters if given (`keepalives_idle=1`).
    public func url(database: String = "postgres", parameters: String = "") throws -> String {
        let password = try TestDatabase.testSetting("GODWIT_PG_PASSWORD")
        return "postgres://postgres:\(password)@\(host):\(port)/\(database)?sslmode=require\(parameters.isEmpty ? "" : "&" + parameters)"
    }

    /// A URL through the server's Unix socket: it reaches the server when its network path is cut.
    public func socketURL(database: String = "postgres") throws -> String {
        let password = try TestDatabase.testSetting("GODWIT_PG_PASSWORD")
        return "postgres://postgres:\(password)@localhost:\(port)/\(database)?host=\(folder.path)"
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
                try pgCtl(["start", "-W"] + serverOptions)
            } catch {
                scheduledStartError = error
            }
            scheduledStart.leave()
        }
        thread.start()
    }

    /// Starts the server and waits until it accepts connections.
    public func start() async throws {
        started = true
        try await onOwnThread { [self] in try pgCtl(["start", "-w", "-t", "60"] + serverOptions) }
    }

    /// Restarts the server: `fast` ends every session with an error (SQLSTATE 57P01) and rolls its
    /// transaction back; `immediate` kills them without a word, and the server recovers from its WAL as
    /// after a crash. Waits until it accepts connections again.
    public func restart(mode: String) async throws {
        try await onOwnThread { [self] in try pgCtl(["restart", "-m", mode, "-w", "-t", "60"] + serverOptions) }
    }

    /// What `pg_ctl` passes to the server: its port, socket folder and address, and its log. Commits are
    /// durable across a crash of the server (the template cluster, made for speed, says otherwise), so an
    /// immediate restart loses nothing that was committed.
    private var serverOptions: [String] {
        [
            "-o", "-p \(port) -k \(folder.path) -c listen_addresses=\(host) -c synchronous_commit=on",
            "-l", folder.appendingPathComponent("server.log").path,
        ]
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
        var command = [pgCtl, "-D", folder.appendingPathComponent("data").path] + arguments
        if getuid() == 0 { command = ["/usr/sbin/runuser", "-u", "postgres", "--"] + command }
        if let path { command = path.inside(command) }
        try Spawn.runOnThisThread(command[0], Array(command.dropFirst()))
    }
}
