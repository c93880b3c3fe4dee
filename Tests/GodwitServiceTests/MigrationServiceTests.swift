import Foundation
import GodwitConfiguration
import GodwitCore
import GodwitService
import GodwitTestSupport
import Logging
import ServiceLifecycle
import Testing

/// Migrating from the app: `MigrationRunner` and `MigrationService` in a real service group, against
/// real databases.
@Suite("Migrating from the app")
struct MigrationServiceTests {
    /// A service that starts its work only once the schema is migrated, and notes what it saw.
    final class Dependent: Service, @unchecked Sendable {
        // @unchecked: `seen` is written once by `run`, read after the group ended.
        let migrations: MigrationService
        let database: TestDatabase
        var seen: Result<Bool, any Error>?

        init(migrations: MigrationService, database: TestDatabase) {
            self.migrations = migrations
            self.database = database
        }

        func run() async throws {
            do {
                _ = try await migrations.migrated()
                let connection = try await database.connect()
                seen = .success(try await database.hasTable("users", on: connection))
            } catch {
                seen = .failure(error)
            }
        }
    }

    func runner(_ database: TestDatabase, logger: Logger) throws -> MigrationRunner {
        let configuration = try Configuration.resolve(
            databaseURL: database.url, migrationsDirectory: database.folder.appendingPathComponent("migrations").path,
            processEnvironment: [:], directory: database.folder.path)
        return MigrationRunner(configuration: configuration, logger: logger)
    }

    func group(_ services: [any Service], dependent: any Service) -> ServiceGroup {
        ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) } + [.init(service: dependent, successTerminationBehavior: .gracefullyShutdownGroup)],
            logger: Logger(label: "test")))
    }

    @Test("the dependent service starts after the schema is migrated; the app's logger gets the outcome",
          arguments: [DatabaseKind.sqlite, .postgres])
    func migratesFirst(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        try database.writeMigrations([
            "001_users.sql": sqlMigration(up: "CREATE TABLE users (id integer);", down: "DROP TABLE users;"),
            "002_posts.sql": sqlMigration(up: "CREATE TABLE posts (id integer);", down: "DROP TABLE posts;"),
        ])
        let log = CapturedLog()
        let migrations = MigrationService(runner: try runner(database, logger: log.logger))
        let dependent = Dependent(migrations: migrations, database: database)
        try await group([migrations], dependent: dependent).run()
        #expect(try dependent.seen?.get() == true)
        #expect(log.messages.contains("applied batch 1: 2 migrations"), "\(log.messages)")

        // Started again (the next deploy): nothing to do, and it says so.
        let again = CapturedLog()
        let report = try await runner(database, logger: again.logger).latest()
        #expect(report.outcome == .alreadyUpToDate)
        #expect(again.messages.contains("database schema is up to date"))
    }

    @Test("a failed migration ends the group with the failure; the dependent never starts its work")
    func failureStopsTheGroup() async throws {
        let database = try await TestDatabase.make(.postgres)
        try database.writeMigrations([
            "001_users.sql": sqlMigration(up: "CREATE TABLE users (id integer);"),
            "002_bad.sql": sqlMigration(up: "ALTER TABLE nope ADD COLUMN x integer;"),
        ])
        let migrations = MigrationService(runner: try runner(database, logger: Logger(label: "test")))
        let dependent = Dependent(migrations: migrations, database: database)
        let error = await #expect(throws: GodwitError.self) { try await group([migrations], dependent: dependent).run() }
        #expect(error?.code == .migrationFailed)
        #expect(error?.summary == "migration 002_bad.sql failed")
        let seen = try #require(dependent.seen)
        #expect(throws: GodwitError.self) { try seen.get() }
        let connection = try await database.connect()
        #expect(try await !database.hasTable("users", on: connection))
    }

    @Test("a graceful shutdown (SIGTERM) during the migration cancels its statement and rolls the batch back")
    func shutdownCancels() async throws {
        let database = try await TestDatabase.make(.postgres)
        try database.writeMigrations([
            "001_users.sql": sqlMigration(up: "CREATE TABLE users (id integer);"),
            "002_slow.sql": sqlMigration(up: "SELECT pg_sleep(60);"),
        ])
        let migrations = MigrationService(runner: try runner(database, logger: Logger(label: "test")))
        let dependent = Dependent(migrations: migrations, database: database)
        let serviceGroup = group([migrations], dependent: dependent)
        let connection = try await database.connect()
        let running = Task { try await serviceGroup.run() }
        try await waitUntilRunning("pg_sleep(60)", on: connection)
        await serviceGroup.triggerGracefulShutdown()
        let error = await #expect(throws: GodwitError.self) { try await running.value }
        #expect(error?.code == .cancelled, "\(String(describing: error))")
        #expect(error?.details.last == "nothing from this batch was applied: the transaction was rolled back and the lock is free")
        #expect(try await !database.hasTable("users", on: connection))
        #expect(try await connection.query(#"SELECT "is_locked" FROM "knex_migrations_lock""#) == [[.integer(0)]])
    }
}

/// A logger whose messages the test reads back.
final class CapturedLog: @unchecked Sendable {
    // @unchecked: `lines` is guarded by `lock`.
    private let lock = NSLock()
    private var lines: [String] = []

    var messages: [String] { lock.withLock { lines } }

    var logger: Logger {
        var logger = Logger(label: "app") { _ in Handler(log: self) }
        logger.logLevel = .debug
        return logger
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            log.lock.withLock { log.lines.append("\(event.message)") }
        }
    }
}
