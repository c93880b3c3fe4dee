import Foundation
import GodwitConfiguration
import GodwitCore
import GodwitService
import GodwitTestSupport
import Logging
import Testing

/// What an app reads from a failed `MigrationRunner.latest()`: the failure's where and when as values,
/// without parsing the message.
@Suite("Failures an app can read")
struct FailureContextTests {
    func runner(_ database: TestDatabase) throws -> MigrationRunner {
        let configuration = try Configuration.resolve(
            databaseURL: database.url, migrationsDirectory: database.folder.appendingPathComponent("migrations").path,
            processEnvironment: [:], directory: database.folder.path)
        return MigrationRunner(configuration: configuration, logger: Logger(label: "test"))
    }

    @Test("a failed statement in a batch: the file, the statement and its line, the phase, what rolled back and what did not run",
          arguments: DatabaseKind.allCases)
    func batchFailure(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        try database.writeMigrations([
            "001_users.sql": sqlMigration(up: "CREATE TABLE users (id int);"),
            "002_broken.sql": sqlMigration(up: "CREATE TABLE ok (id int);\n\nINSERT INTO nowhere\n  VALUES (1);"),
            "003_later.sql": sqlMigration(up: "CREATE TABLE later (id int);"),
        ])
        let error = try await #require(throws: GodwitError.self) { try await runner(database).latest() }
        #expect(error.code == .migrationFailed)
        #expect(error.context.migration == GodwitError.MigrationReference(
            name: "002_broken.sql", path: database.folder.appendingPathComponent("migrations/002_broken.sql").path))
        #expect(error.context.direction == .up)
        #expect(error.context.phase == .body)
        #expect(error.context.statement?.text == "INSERT INTO nowhere\n  VALUES (1)")
        #expect(error.context.statement?.line == 4)
        #expect(error.context.statement?.column == 1)
        #expect(error.context.outcome?.kept == [])
        #expect(error.context.outcome?.rolledBack == ["001_users.sql", "002_broken.sql"])
        #expect(error.context.outcome?.notRun == ["003_later.sql"])
        #expect(error.context.outcome?.lock == .freed)
        #expect(error.context.outcome.map { error.description.contains($0.description) } == true)
        #expect(error.databaseError?.message.contains("nowhere") == true)
        #expect(error.errorDescription == error.description, "LocalizedError says the message")
    }

    @Test("step by step (transaction:own): what was kept before the failure", arguments: DatabaseKind.allCases)
    func stepwiseFailure(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        try database.writeMigrations([
            "001_users.sql": sqlMigration(up: "CREATE TABLE users (id int);", upOptions: "transaction:own"),
            "002_broken.sql": sqlMigration(up: "INSERT INTO nowhere VALUES (1);"),
            "003_later.sql": sqlMigration(up: "CREATE TABLE later (id int);"),
        ])
        let error = try await #require(throws: GodwitError.self) { try await runner(database).latest() }
        #expect(error.context.migration?.name == "002_broken.sql")
        #expect(error.context.outcome?.kept == ["001_users.sql"])
        #expect(error.context.outcome?.rolledBack == ["002_broken.sql"])
        #expect(error.context.outcome?.notRun == ["003_later.sql"])
        // The lock was committed as is_locked = 1 with a lease for the steps; the failure freed it.
        #expect(error.context.outcome?.lock == .freed)
        let connection = try await database.connect()
        #expect(try await connection.query(#"SELECT "is_locked" FROM "knex_migrations_lock""#).map { $0[0] } == [.integer(0)])
        #expect(try await connection.query(#"SELECT count(*) FROM "knex_migrations_godwit_lease""#)[0][0] == .integer(0))
    }

    @Test("a file refused before anything runs names its statement and line, and what to do")
    func refusedFile() async throws {
        let database = try await TestDatabase.make(.sqlite)
        try database.writeMigrations(["001_dump.sql": sqlMigration(up: "CREATE TABLE t (id int);\n.mode csv")])
        let error = try await #require(throws: GodwitError.self) { try await runner(database).latest() }
        #expect(error.code == .invalidMigrationFile)
        #expect(error.context.statement?.text == ".mode csv")
        #expect(error.context.statement?.line == 3)
        #expect(error.context.advice?.contains("dot-commands") == true)
        #expect(error.context.outcome?.description == "nothing was run")
    }

    @Test("the server's statement_timeout stops a long migration: the error says so and how to give it longer; the migration is not recorded, the lock is free",
          arguments: [false, true])
    func statementTimeout(outsideTransaction: Bool) async throws {
        let database = try await TestDatabase.make(.postgres)
        let connection = try await database.connect()
        let name = try #require(try await connection.query("SELECT current_database()").first?[0].text)
        // The tracking tables exist first, so that only the migration meets the timeout (on a loaded
        // machine even Godwit's own bookkeeping may take longer than a timeout short enough for a test).
        try database.writeMigrations(["000_first.sql": sqlMigration(up: "SELECT 1;")])
        try await runner(database).latest()
        // As Supabase sets one per role: here for the database, which every new session takes.
        _ = try await connection.query("ALTER DATABASE \"\(name)\" SET statement_timeout = '3s'")
        try database.writeMigrations([
            "001_slow.sql": sqlMigration(
                up: "CREATE TABLE slow (id int);\nSELECT pg_sleep(60);", upOptions: outsideTransaction ? "transaction:false" : ""),
        ])
        let error = try await #require(throws: GodwitError.self) { try await runner(database).latest() }
        #expect(error.code == .migrationFailed)
        #expect(error.databaseError?.kind == .statementTimeout)
        #expect(error.context.statement?.text == "SELECT pg_sleep(60)")
        #expect(error.context.advice?.contains("statement_timeout") == true)
        #expect(error.context.advice?.contains(outsideTransaction ? "ALTER ROLE" : "SET LOCAL statement_timeout") == true, "\(error)")
        #expect(error.description.contains(error.context.advice ?? "-"))
        let records = try await connection.query(#"SELECT "name" FROM "knex_migrations""#)
        #expect(records.map { $0[0] } == [.text("000_first.sql")])
        #expect(try await connection.query(#"SELECT "is_locked" FROM "knex_migrations_lock""#).map { $0[0] } == [.integer(0)])
    }
}
