import Foundation
import GodwitCore
import GodwitPostgres
import GodwitSQLite

/// The databases every shared behaviour is tested on: SQLite, PostgreSQL, and PostgreSQL through PgBouncer
/// in transaction mode (as Supabase's pooler on port 6543 serves it).
public enum DatabaseKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres, pgbouncer

    public var description: String { rawValue }

    /// Whether the database is PostgreSQL, directly or through the pooler.
    public var isPostgres: Bool { self != .sqlite }
}

/// A fresh, empty database of one kind: a SQLite file in a new temporary folder, or a new database on the
/// PostgreSQL server that `scripts/test.sh` started (its URL in `GODWIT_TEST_POSTGRES_URL`).
public struct TestDatabase: Sendable {
    public let kind: DatabaseKind
    /// A URL the CLI accepts (`sqlite:/tmp/…` or `postgres://…`), password included.
    public let url: String
    /// A folder of the test's own, for migrations and `.env` files.
    public let folder: URL

    public static func make(_ kind: DatabaseKind) async throws -> TestDatabase {
        let folder = try TestFolder.make()
        switch kind {
        case .sqlite:
            return TestDatabase(kind: kind, url: "sqlite:\(folder.path)/test.sqlite3", folder: folder)
        case .postgres, .pgbouncer:
            let adminURL = try postgresAdminURL()
            let name = "godwit_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
            let admin = try await PostgresConnection.connect(try PostgresConnectionSettings(url: adminURL))
            _ = try await admin.query("CREATE DATABASE \"\(name)\"")
            let url = kind == .postgres ? adminURL : try testSetting("GODWIT_TEST_PGBOUNCER_URL")
            guard let range = url.range(of: "/postgres?") else {
                throw TestSetupError("the test URLs must end in /postgres?…: \(url)")
            }
            return TestDatabase(kind: kind, url: url.replacingCharacters(in: range, with: "/\(name)?"), folder: folder)
        }
    }

    /// The server's administrative URL, from `scripts/test.sh`.
    public static func postgresAdminURL() throws -> String {
        try testSetting("GODWIT_TEST_POSTGRES_URL")
    }

    /// A value `scripts/test.sh` sets: a URL, a port, a role, a password.
    public static func testSetting(_ variable: String) throws -> String {
        guard let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty else {
            throw TestSetupError("\(variable) is not set: run the suite with scripts/test.sh, which starts PostgreSQL and PgBouncer")
        }
        return url
    }

    /// The same database, with migrations read from a subfolder of its own (another checkout, say).
    public func inSubfolder(_ name: String) -> TestDatabase {
        TestDatabase(kind: kind, url: url, folder: folder.appendingPathComponent(name))
    }

    /// Opens a new connection to this database.
    public func connect() async throws -> any DatabaseConnection {
        switch kind {
        case .sqlite: try await SQLiteConnection.open(path: String(url.dropFirst("sqlite:".count)))
        case .postgres, .pgbouncer: try await PostgresConnection.connect(try PostgresConnectionSettings(url: url))
        }
    }

    /// The folder's `migrations` subfolder, created with the given files.
    @discardableResult
    public func writeMigrations(_ files: [String: String], into name: String = "migrations") throws -> String {
        let directory = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (file, contents) in files {
            try contents.write(to: directory.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        return directory.path
    }

    /// Whether a table exists.
    public func hasTable(_ name: String, on connection: any DatabaseConnection) async throws -> Bool {
        let sql = switch kind {
        case .sqlite: "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1"
        case .postgres, .pgbouncer: "SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = $1"
        }
        return try await !connection.query(sql, [.text(name)]).isEmpty
    }
}

/// Temporary folders for tests.
public enum TestFolder {
    public static func make() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The test environment is not what the suite needs.
public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A migration file in dbmate's format.
public func sqlMigration(up: String, down: String = "", upOptions: String = "", downOptions: String = "") -> String {
    "-- migrate:up\(upOptions.isEmpty ? "" : " " + upOptions)\n\(up)\n-- migrate:down\(downOptions.isEmpty ? "" : " " + downOptions)\n\(down)\n"
}
