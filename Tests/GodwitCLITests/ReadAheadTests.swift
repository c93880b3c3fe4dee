import Foundation
import GodwitConfiguration
import GodwitCore
import GodwitTestSupport
import Logging
import Testing

/// On PostgreSQL the tracking tables are read while the migration files load. The read is a snapshot
/// taken before the command runs: these check that it never decides what the lock protects, and never
/// hides a failure to load the files.
@Suite("the tracking tables read while the files load")
struct ReadAheadTests {
    func configuration(_ database: TestDatabase) async throws -> Configuration {
        try Configuration.resolve(
            databaseURL: database.url, migrationsDirectory: database.folder.appendingPathComponent("migrations").path,
            processEnvironment: [:], directory: database.folder.path)
    }

    func open(_ configuration: Configuration) async throws -> (migrator: Migrator, snapshot: TrackingSnapshot?) {
        try await configuration.openMigrator(compiled: [], logger: Logger(label: "test")) { _ in }
    }

    @Test("a read that another runner made stale: the batch is planned again under the lock, and the next command reads afresh",
          arguments: [DatabaseKind.postgres, .pgbouncer])
    func staleRead(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        try database.writeMigrations(["20240101000000_a.sql": sqlMigration(up: "CREATE TABLE a (id int);")])
        let configuration = try await configuration(database)
        let first = try await open(configuration)
        #expect(try await first.migrator.latest(startingFrom: first.snapshot).outcome == .applied)

        try database.writeMigrations([
            "20240101000000_a.sql": sqlMigration(up: "CREATE TABLE a (id int);"),
            "20240102000000_b.sql": sqlMigration(up: "CREATE TABLE b (id int);"),
        ])
        let (late, snapshot) = try await open(configuration)  // has read: a applied, b pending
        #expect(snapshot != nil, "on PostgreSQL the tables are read while the files load")
        let opened = try await open(configuration)
        let other = try await opened.migrator.latest(startingFrom: opened.snapshot)
        #expect(other.outcome == .applied && other.migrations == ["20240102000000_b.sql"])

        let report = try await late.latest(startingFrom: snapshot)
        #expect(report.outcome == .alreadyUpToDate, "b must not run twice: \(report)")
        let state = try await late.status()
        #expect(state.pending.isEmpty)
        #expect(state.completed.map(\.record.batch) == [1, 2])
    }

    @Test("a folder that fails to load is the error reported, not the tracking tables' read nor the connection")
    func loadFailureFirst() async throws {
        let database = try await TestDatabase.make(.postgres)
        let connection = try await database.connect()
        // A knex_migrations that is not Knex's: reading it fails.
        _ = try await connection.query("CREATE TABLE knex_migrations (x integer)")
        try database.writeMigrations(["20240101000000_a.sql": "CREATE TABLE a (id int);\n"])
        let environment = ["DATABASE_URL": database.url]

        let malformed = try await godwit("latest", in: database.folder, environment: environment)
        #expect(malformed.status == 1)
        #expect(malformed.stderr.contains("20240101000000_a.sql"), "\(malformed)")
        #expect(malformed.stderr.contains("-- migrate:up"), "\(malformed)")
        #expect(!malformed.stderr.contains("does not exist"), "\(malformed)")

        var wrongPassword = try #require(URLComponents(string: database.url))
        wrongPassword.password = "not-the-password"
        let unreachable = try await godwit("latest", in: database.folder, environment: ["DATABASE_URL": wrongPassword.string!])
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.contains("20240101000000_a.sql"), "\(unreachable)")
        #expect(!unreachable.stderr.contains("password authentication failed"), "\(unreachable)")

        try database.writeMigrations(["20240101000000_a.sql": sqlMigration(up: "CREATE TABLE a (id int);")])
        let unreadable = try await godwit("latest", in: database.folder, environment: environment)
        #expect(unreadable.status == 1)
        #expect(unreadable.stderr.hasPrefix("error: reading knex_migrations failed\n  statement: SELECT \"id\", \"name\""), "\(unreadable)")
        #expect(unreadable.stderr.contains(#"database error: column "id" does not exist (SQLSTATE 42703)"#))
        #expect(unreadable.stderr.contains("nothing was run"))
        #expect(try await !database.hasTable("a", on: connection))
    }
}
