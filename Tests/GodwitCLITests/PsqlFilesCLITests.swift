import Foundation
import GodwitCore
import GodwitTestSupport
import Testing

/// Files written for psql and sqlite3, through the `godwit` binary: what it says, and the settings that
/// let such files run.
@Suite("godwit with files written for psql and sqlite3")
struct PsqlFilesCLITests {
    @Test("a BEGIN … COMMIT around a file is said once, as a notice, and the file applies", arguments: DatabaseKind.allCases)
    func wrappedNotice(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        try database.writeMigrations([
            "001_wrapped.sql": sqlMigration(up: "BEGIN;\nCREATE TABLE wrapped (id int);\nCOMMIT;"),
        ])
        let result = try await godwit("latest", in: database.folder, environment: ["DATABASE_URL": database.url])
        #expect(result.status == 0, "\(result)")
        let notice = "001_wrapped.sql: its BEGIN … COMMIT are left out; the section runs in Godwit's transaction"
        #expect(result.stderr.components(separatedBy: notice).count == 2, "said once: \(result)")
        #expect(result.stdoutLines.contains("Batch 1 run: 1 migrations"), "\(result)")
    }

    @Test("a psql meta-command stops latest with exit 1, naming file and line; nothing is created")
    func metaCommandRefused() async throws {
        let database = try await TestDatabase.make(.postgres)
        try database.writeMigrations(["001_vars.sql": sqlMigration(up: "\\set ON_ERROR_STOP on\nCREATE TABLE t (id int);")])
        let result = try await godwit("latest", in: database.folder, environment: ["DATABASE_URL": database.url])
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: cannot run 001_vars.sql as written: '\\set ON_ERROR_STOP on' is a psql meta-command"), "\(result)")
        #expect(result.stderr.contains("migrations/001_vars.sql, line 2 (up)"))
        let connection = try await database.connect()
        #expect(try await !database.hasTable("t", on: connection))
    }

    @Test("--allow-empty-down and GODWIT_ALLOW_EMPTY_DOWN roll back a migration whose down section is empty",
          arguments: ["flag", "variable"])
    func allowEmptyDown(way: String) async throws {
        let database = try await TestDatabase.make(.sqlite)
        try database.writeMigrations([
            "001_table.sql": sqlMigration(up: "CREATE TABLE t (id int);", down: "DROP TABLE t;"),
            "002_seed.sql": sqlMigration(up: "INSERT INTO t VALUES (1);"),
        ])
        var env = ["DATABASE_URL": database.url]
        #expect(try await godwit("latest", in: database.folder, environment: env).status == 0)
        let refused = try await godwit("rollback", in: database.folder, environment: env)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("cannot roll back 002_seed.sql: its '-- migrate:down' section is empty"), "\(refused)")
        #expect(refused.stderr.contains("'-- migrate:down nothing-to-undo'"))
        let result: CommandResult
        if way == "flag" {
            result = try await godwit("rollback", "--allow-empty-down", in: database.folder, environment: env)
        } else {
            env["GODWIT_ALLOW_EMPTY_DOWN"] = "1"
            result = try await godwit("rollback", in: database.folder, environment: env)
        }
        #expect(result.status == 0, "\(result)")
        #expect(result.stdoutLines.contains("Batch 1 rolled back: 2 migrations"), "\(result)")
    }

    @Test("--transaction-per-migration and GODWIT_TRANSACTION_PER_MIGRATION let a new enum value be used by the next file",
          arguments: ["flag", "variable"])
    func transactionPerMigration(way: String) async throws {
        let database = try await TestDatabase.make(.postgres)
        try database.writeMigrations([
            "001_type.sql": sqlMigration(up: "CREATE TYPE perm AS ENUM ('read');"),
            "002_value.sql": sqlMigration(up: "ALTER TYPE perm ADD VALUE 'write';"),
            "003_use.sql": sqlMigration(up: "CREATE TABLE grants (p perm DEFAULT 'write');"),
        ])
        var env = ["DATABASE_URL": database.url]
        let failed = try await godwit("latest", in: database.folder, environment: env)
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("unsafe use of new value"), "\(failed)")
        #expect(failed.stderr.contains("--transaction-per-migration"))
        let result: CommandResult
        if way == "flag" {
            result = try await godwit("latest", "--transaction-per-migration", in: database.folder, environment: env)
        } else {
            env["GODWIT_TRANSACTION_PER_MIGRATION"] = "maybe"
            let invalid = try await godwit("latest", in: database.folder, environment: env)
            #expect(invalid.status == 1)
            #expect(invalid.stderr.contains("invalid GODWIT_TRANSACTION_PER_MIGRATION 'maybe'"), "\(invalid)")
            env["GODWIT_TRANSACTION_PER_MIGRATION"] = "true"
            result = try await godwit("latest", in: database.folder, environment: env)
        }
        #expect(result.status == 0, "\(result)")
        #expect(result.stdoutLines.contains("Batch 1 run: 3 migrations"), "\(result)")
    }
}
