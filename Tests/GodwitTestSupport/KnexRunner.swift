import Foundation
import GodwitCore
import GodwitPostgres
import GodwitSQLite

/// A test double of `knex migrate:latest` (Knex 3.3.0), step by step in SQL, as recorded in
/// shared/knex-reference.md: a Node replica running beside Godwit's during a rolling deploy.
///
/// 1. It lists its pending migrations by exact file name against `knex_migrations`, before any lock, after
///    checking that every recorded name is one of its files ("The migration directory is corrupt, …").
/// 2. It takes the lock with `update knex_migrations_lock set is_locked = 1 where is_locked = 0`: inside the
///    batch's transaction when every migration is transactional (so it blocks on a row lock another
///    transaction holds), else committed on its own. No row changed: "Migration table is already locked".
/// 3. Under the lock it reads `knex_migrations` again and runs what is missing, by exact name, each with
///    its own `insert into knex_migrations`, in `max(batch) + 1`.
/// 4. It frees the lock (`is_locked = 0`) and commits.
///
/// On SQLite it does not wait for another writer: a second runner fails at once with `database is locked`
/// (Knex's `SQLITE_BUSY`).
public struct KnexRunner: Sendable {
    /// A migration as Knex sees it: its file name (`002_data.js`) and what its `up` does.
    public struct File: Sendable {
        public let name: String
        public let sql: String

        public init(_ name: String, sql: String) {
            self.name = name
            self.sql = sql
        }
    }

    /// How a run ended.
    public enum Outcome: Sendable, Equatable {
        /// It ran these migrations as one batch.
        case applied([String])
        /// Nothing was pending ("Already up to date").
        case upToDate
        /// It failed with this message, Knex's own.
        case failed(String)
    }

    public let database: TestDatabase
    /// Its migrations folder, in name order.
    public let files: [File]
    /// Whether every migration runs in a transaction (none says `config.transaction = false`).
    public let transactional: Bool

    public init(database: TestDatabase, files: [File], transactional: Bool = true) {
        self.database = database
        self.files = files.sorted { $0.name < $1.name }
        self.transactional = transactional
    }

    /// `knex migrate:latest`.
    public func latest() async -> Outcome {
        do {
            let connection = try await connect()
            return try await latest(on: connection)
        } catch let error as KnexFailure {
            return .failed(error.message)
        } catch let error as DatabaseError {
            return .failed(error.message)
        } catch {
            return .failed("\(error)")
        }
    }

    /// Creates the tracking tables with Knex's DDL, as Knex does on its first run, and the lock row.
    public func createTables() async throws {
        let connection = try await connect()
        let statements = database.kind.isPostgres
            ? [#"create table "knex_migrations" ("id" serial primary key, "name" varchar(255), "batch" integer, "migration_time" timestamptz)"#,
               #"create table "knex_migrations_lock" ("index" serial primary key, "is_locked" integer)"#]
            : ["CREATE TABLE `knex_migrations` (`id` integer not null primary key autoincrement, `name` varchar(255), `batch` integer, `migration_time` datetime)",
               "CREATE TABLE `knex_migrations_lock` (`index` integer not null primary key autoincrement, `is_locked` integer)"]
        for statement in statements { _ = try await connection.query(statement) }
        _ = try await connection.query(#"INSERT INTO "knex_migrations_lock" ("is_locked") VALUES (0)"#)
    }

    /// `knex migrate:unlock`: every lock row deleted, one free row inserted.
    public func unlock() async throws {
        let connection = try await connect()
        _ = try await connection.query(#"DELETE FROM "knex_migrations_lock""#)
        _ = try await connection.query(#"INSERT INTO "knex_migrations_lock" ("is_locked") VALUES (0)"#)
    }

    private struct KnexFailure: Error {
        let message: String
    }

    private func connect() async throws -> any DatabaseConnection {
        switch database.kind {
        case .sqlite: try await SQLiteConnection.open(path: String(database.url.dropFirst("sqlite:".count)), busyTimeout: .zero)
        case .postgres, .pgbouncer: try await PostgresConnection.connect(try PostgresConnectionSettings(url: database.url))
        }
    }

    private func recorded(on connection: any DatabaseConnection) async throws -> [String] {
        try await connection.query(#"SELECT "name" FROM "knex_migrations" ORDER BY "id""#).compactMap { $0[0].text }
    }

    private func latest(on connection: any DatabaseConnection) async throws -> Outcome {
        let names = Set(files.map(\.name))
        let before = try await recorded(on: connection)
        let missing = before.filter { !names.contains($0) }
        guard missing.isEmpty else {
            throw KnexFailure(message: "The migration directory is corrupt, the following files are missing: \(missing.joined(separator: ", "))")
        }
        guard files.contains(where: { !before.contains($0.name) }) else { return .upToDate }
        if transactional {
            _ = try await connection.query("BEGIN")
            do {
                try await takeLock(on: connection)
                let ran = try await runPending(on: connection, eachInItsOwnTransaction: false)
                _ = try await connection.query(#"UPDATE "knex_migrations_lock" SET "is_locked" = 0"#)
                _ = try await connection.query("COMMIT")
                return ran.isEmpty ? .upToDate : .applied(ran)
            } catch {
                _ = try? await connection.query("ROLLBACK")
                throw error
            }
        }
        // A failure from here on leaves the committed lock set, as Knex leaves it.
        try await takeLock(on: connection)
        let ran = try await runPending(on: connection, eachInItsOwnTransaction: true)
        _ = try await connection.query(#"UPDATE "knex_migrations_lock" SET "is_locked" = 0"#)
        return ran.isEmpty ? .upToDate : .applied(ran)
    }

    private func takeLock(on connection: any DatabaseConnection) async throws {
        let changed = try await connection.query(
            #"UPDATE "knex_migrations_lock" SET "is_locked" = 1 WHERE "is_locked" = 0 RETURNING "index""#)
        guard changed.count == 1 else {
            throw KnexFailure(message: "Migration table is already locked")
        }
    }

    private func runPending(on connection: any DatabaseConnection, eachInItsOwnTransaction: Bool) async throws -> [String] {
        let done = Set(try await recorded(on: connection))
        let batch = (try await connection.query(#"SELECT max("batch") FROM "knex_migrations""#).first?[0].integer ?? 0) + 1
        var ran: [String] = []
        for file in files where !done.contains(file.name) {
            if eachInItsOwnTransaction { _ = try await connection.query("BEGIN") }
            try await connection.execute(script: file.sql)
            let placeholders = (1...3).map(connection.dialect.placeholder).joined(separator: ", ")
            _ = try await connection.query(
                #"INSERT INTO "knex_migrations" ("name", "batch", "migration_time") VALUES (\#(placeholders))"#,
                [.text(file.name), .integer(batch), connection.dialect.migrationTimeValue(epochMilliseconds: Self.now())])
            if eachInItsOwnTransaction { _ = try await connection.query("COMMIT") }
            ran.append(file.name)
        }
        return ran
    }

    private static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
