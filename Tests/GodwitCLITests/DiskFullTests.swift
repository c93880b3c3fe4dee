import Foundation
import GodwitCore
import GodwitPostgres
import GodwitTestSupport
import Testing

/// The server's disk fills during a migration: a tablespace on a 2 MiB tmpfs of the test's own.
@Suite("Faults: the server's disk full")
struct DiskFullTests {
    @Test("the server's disk fills during a batch: one clear error naming the file, the statement and the server's reason, nothing applied, the lock free; with room, the next run applies it",
          .enabled(if: getuid() == 0, "needs root to mount a small file system for the tablespace"))
    func serverDiskFull() async throws {
        let database = try await TestDatabase.make(.postgres)
        let admin = try await PostgresConnection.connect(try PostgresConnectionSettings(url: try TestDatabase.postgresAdminURL()))
        let small = database.folder.appendingPathComponent("small")
        try FileManager.default.createDirectory(at: small, withIntermediateDirectories: false)
        try #require(try await succeeds("/usr/bin/env", ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", small.path]))
        let tablespace = "small_\(UUID().uuidString.prefix(8).lowercased())"
        do {
            try #require(try await succeeds("/usr/bin/env", ["chown", "postgres:", small.path]))
            _ = try await admin.query("CREATE TABLESPACE \(tablespace) LOCATION '\(small.path)'")
            try await fillAndRecover(database, tablespace: tablespace)
        } catch {
            await cleanUp(admin, tablespace: tablespace, small: small)
            throw error
        }
        await cleanUp(admin, tablespace: tablespace, small: small)
    }

    func fillAndRecover(_ database: TestDatabase, tablespace: String) async throws {
        let filling = "INSERT INTO big SELECT repeat(md5(g::text), 40) FROM generate_series(1, 100000) g;"
        try database.writeMigrations([
            "001_kept.sql": sqlMigration(up: "CREATE TABLE kept (id integer);", down: "DROP TABLE kept;"),
            "002_big.sql": sqlMigration(up: "CREATE TABLE big (t text) TABLESPACE \(tablespace);\n\(filling)", down: "DROP TABLE big;"),
        ])
        let env = ["DATABASE_URL": database.url]
        let full = try await godwit("latest", in: database.folder, environment: env)
        #expect(full.status == 1, "\(full)")
        #expect(full.stderr.contains("migration 002_big.sql failed"), "\(full)")
        #expect(full.stderr.contains("INSERT INTO big SELECT"), "the failing statement is named: \(full)")
        #expect(full.stderr.contains("No space left on device") && full.stderr.contains("SQLSTATE 53100"), "\(full)")
        #expect(full.stderr.contains("no room left to write"), "advice: \(full)")
        #expect(full.stderr.contains("nothing from this batch was applied"), "\(full)")

        let connection = try await database.connect()
        #expect(try await connection.query(#"SELECT count(*) FROM "knex_migrations""#)[0][0] == .integer(0))
        #expect(try await !database.hasTable("kept", on: connection), "001 ran in the same transaction and was rolled back")
        #expect(try await connection.query(#"SELECT "is_locked" FROM "knex_migrations_lock""#).map { $0[0] } == [.integer(0)])

        // The rollback gave the space back; a smaller batch fits.
        try database.writeMigrations([
            "002_big.sql": sqlMigration(up: "CREATE TABLE big (t text) TABLESPACE \(tablespace);\nINSERT INTO big VALUES ('fits');", down: "DROP TABLE big;"),
        ])
        let again = try await godwit("latest", in: database.folder, environment: env)
        #expect(again.status == 0, "\(again)")
        #expect(again.stdoutLines.contains("Batch 1 run: 2 migrations"), "\(again)")
        #expect(try await godwit("rollback", in: database.folder, environment: env).status == 0, "the tablespace is left empty")
    }

    func cleanUp(_ admin: PostgresConnection, tablespace: String, small: URL) async {
        _ = try? await admin.query("DROP TABLESPACE IF EXISTS \(tablespace)")
        // Lazily: a server process may still hold a file of the dropped table open.
        _ = try? await succeeds("/usr/bin/env", ["umount", "-l", small.path])
    }
}
