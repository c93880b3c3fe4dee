import Foundation
import GodwitTestSupport
import Testing

/// `godwit wait` and `--wait`: a container's database that comes up late, and failures not worth waiting for.
@Suite("Waiting for the database")
struct WaitTests {
    /// A TCP forwarder from a free port to PostgreSQL's, started when the test says: the server "comes up".
    final class LateServer: @unchecked Sendable {
        // @unchecked: used by one test task.
        let port: Int
        private var process: Process?

        init() throws {
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            probe.arguments = ["python3", "-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"]
            let pipe = Pipe()
            probe.standardOutput = pipe
            try probe.run()
            probe.waitUntilExit()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))!
        }

        func start(forwardingTo target: String) throws {
            let script = """
                import socket, threading, sys
                def pipe(a, b):
                    try:
                        while True:
                            data = a.recv(65536)
                            if not data: break
                            b.sendall(data)
                    except OSError: pass
                    finally:
                        a.close(); b.close()
                server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                server.bind(('127.0.0.1', \(port))); server.listen(16)
                while True:
                    client, _ = server.accept()
                    upstream = socket.create_connection(('127.0.0.1', \(target)))
                    threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
                    threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
                """
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script]
            try process.run()
            self.process = process
        }

        deinit { process?.terminate() }
    }

    func url(port: Int, password: String? = nil) throws -> String {
        let admin = try TestDatabase.postgresAdminURL()
        var url = admin.replacingOccurrences(of: "127.0.0.1:\(try TestDatabase.testSetting("GODWIT_PG_PORT"))", with: "127.0.0.1:\(port)")
        if let password {
            url = url.replacingOccurrences(of: ":\(try TestDatabase.testSetting("GODWIT_PG_PASSWORD"))@", with: ":\(password)@")
        }
        return url
    }

    @Test("wait retries while nothing listens, with a line per attempt, and succeeds once the server is up")
    func lateServer() async throws {
        let server = try LateServer()
        let folder = try TestFolder.make()
        let waiting = try RunningGodwit(["wait", "--timeout", "30", "--database-url", try url(port: server.port)], in: folder)
        try await Task.sleep(for: .milliseconds(1500))
        try server.start(forwardingTo: try TestDatabase.testSetting("GODWIT_PG_PORT"))
        let result = try waiting.wait()
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("waiting for the database (attempt 1, "))
        #expect(result.stderr.contains("Connection refused"))
        #expect(result.stdoutLines.last?.hasPrefix("Database is ready: PostgreSQL postgres://postgres:***@127.0.0.1:\(server.port)/") == true)
    }

    @Test("latest --wait applies the migrations once a late server is up")
    func latestWaits() async throws {
        let database = try await TestDatabase.make(.postgres)
        try database.writeMigrations(["001_t.sql": sqlMigration(up: "CREATE TABLE t (id integer);", down: "DROP TABLE t;")])
        let server = try LateServer()
        let late = database.url.replacingOccurrences(
            of: "127.0.0.1:\(try TestDatabase.testSetting("GODWIT_PG_PORT"))", with: "127.0.0.1:\(server.port)")
        let running = try RunningGodwit(["latest", "--wait", "30"], in: database.folder, environment: ["DATABASE_URL": late])
        try await Task.sleep(for: .milliseconds(1000))
        try server.start(forwardingTo: try TestDatabase.testSetting("GODWIT_PG_PORT"))
        let result = try running.wait()
        #expect(result.status == 0, "\(result)")
        #expect(result.stdoutLines.contains("001_t.sql"))
        #expect(result.stderr.contains("waiting for the database"))
    }

    @Test("a wrong password is not worth waiting for: wait fails at once, naming the setting")
    func wrongPassword() throws {
        let folder = try TestFolder.make()
        let result = try godwit(
            "wait", "--timeout", "30", "--database-url", try url(port: Int(try TestDatabase.testSetting("GODWIT_PG_PORT"))!, password: "wrong"),
            in: folder)
        #expect(result.status == 1)
        #expect(!result.stderr.contains("waiting for the database"))
        #expect(result.stderr.contains("password authentication failed"))
        #expect(result.stderr.contains("check the password in --database-url"))
    }

    @Test("at the limit, wait gives up with the last reason and how to wait longer, the password masked")
    func givesUp() throws {
        let server = try LateServer()
        let folder = try TestFolder.make()
        let result = try godwit("wait", "--timeout", "1", "--database-url", "postgres://app:s3cret@127.0.0.1:\(server.port)/db", in: folder)
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: gave up waiting for the database after 1."))
        #expect(result.stderr.contains("Connection refused"))
        #expect(result.stderr.contains("--wait SECONDS / GODWIT_WAIT_TIMEOUT"))
        #expect(!result.stderr.contains("s3cret"))
    }
}
