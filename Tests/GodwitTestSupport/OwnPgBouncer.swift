import Foundation

/// A PgBouncer of the test's own, in transaction mode as the suite's (its settings, TLS and users copied
/// from `$GODWIT_PG_DIR/pgbouncer`), on a free port, in front of the suite's server: a test may stop and
/// restart it without touching any other test's pooler.
public final class OwnPgBouncer: Sendable {
    /// The port it listens on.
    public let port: Int
    private let folder: URL

    private init(port: Int, folder: URL) {
        self.port = port
        self.folder = folder
    }

    /// Writes its configuration and starts it (on a thread of its own).
    public static func start() async throws -> OwnPgBouncer {
        let clusters = URL(fileURLWithPath: try TestDatabase.testSetting("GODWIT_PG_DIR"))
        let folder = clusters.appendingPathComponent("pooler-\(UUID().uuidString.prefix(8))")
        let pooler = OwnPgBouncer(port: try SilentListener.freePort(), folder: folder)
        let shared = try String(contentsOf: clusters.appendingPathComponent("pgbouncer/pgbouncer.ini"), encoding: .utf8)
        let own = shared.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.hasPrefix("listen_port = ") { return "listen_port = \(pooler.port)" }
            if line.hasPrefix("logfile = ") { return "logfile = \(folder.path)/pgbouncer.log" }
            if line.hasPrefix("pidfile = ") { return "pidfile = \(folder.path)/pgbouncer.pid" }
            return String(line)
        }.joined(separator: "\n")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        try own.write(to: folder.appendingPathComponent("pgbouncer.ini"), atomically: true, encoding: .utf8)
        try await onOwnThread {
            if getuid() == 0 { try Spawn.runOnThisThread("/bin/chown", ["-R", "postgres:", folder.path]) }
            try pooler.launch()
        }
        return pooler
    }

    /// Runs `body` with a started pooler, then stops it and removes its files, whether `body` succeeded or threw.
    public static func with<T: Sendable>(_ body: (OwnPgBouncer) async throws -> T) async throws -> T {
        try await using(try await start(), release: { await $0.stop() }, body)
    }

    /// A URL through it to `database` on the suite's server, as the `postgres` superuser, TLS required.
    public func url(database: String) throws -> String {
        let password = try TestDatabase.testSetting("GODWIT_PG_PASSWORD")
        return "postgres://postgres:\(password)@127.0.0.1:\(port)/\(database)?sslmode=require"
    }

    /// Shuts it down at once (SIGTERM: every client and server connection closed, nothing waited for), then
    /// starts it again on the same port.
    public func restart() async throws {
        try await onOwnThread { [self] in
            try stopOnThisThread()
            try launch()
        }
    }

    /// Stops it and removes its files.
    public func stop() async {
        _ = try? await onOwnThread { [self] in
            try? stopOnThisThread()
            try? FileManager.default.removeItem(at: folder)
        }
    }

    private func launch() throws {
        var command = ["/usr/sbin/pgbouncer", "-d", folder.appendingPathComponent("pgbouncer.ini").path]
        if getuid() == 0 { command = ["/usr/sbin/runuser", "-u", "postgres", "--"] + command }
        try Spawn.runOnThisThread(command[0], Array(command.dropFirst()))
        // Listening once it answers a connection.
        for _ in 0..<100 {
            if Self.accepts(port: port) { return }
            usleep(50_000)
        }
        throw TestSetupError("the test's PgBouncer did not listen on \(port) within 5 s")
    }

    /// Whether something accepts a TCP connection on 127.0.0.1:`port`.
    private static func accepts(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Sends SIGTERM and waits until the process is gone.
    private func stopOnThisThread() throws {
        let pidFile = folder.appendingPathComponent("pgbouncer.pid")
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return }
        kill(pid, SIGTERM)
        for _ in 0..<200 where kill(pid, 0) == 0 {
            usleep(25_000)
        }
        try? FileManager.default.removeItem(at: pidFile)
    }
}
