import GodwitCore
import GodwitTestSupport
import Testing

/// Migration files written for psql or the sqlite3 shell (sqitch, pg_dump, drizzle, Supabase projects),
/// run as those shells run them, on real databases.
@Suite("Files written for psql and sqlite3")
struct PsqlFidelityTests {
    /// A migrator of `files`, written into `folder` (a folder of their own: the database's other folders
    /// keep theirs).
    func migrator(
        _ database: TestDatabase, _ files: [String: String], in folder: String = "migrations",
        settings: Migrator.Settings = Migrator.Settings()
    ) async throws -> (Migrator, any DatabaseConnection) {
        let directory = try database.writeMigrations(files, into: folder)
        let connection = try await database.connect()
        let migrations = try MigrationDirectory(path: directory).load()
        return (Migrator(connection: connection, migrations: migrations, source: directory, settings: settings), connection)
    }

    func applied(_ connection: any DatabaseConnection) async throws -> [String] {
        try await connection.query(#"SELECT "name" FROM "knex_migrations" ORDER BY "id""#).map { $0[0].text! }
    }

    func isLocked(_ connection: any DatabaseConnection) async throws -> Int64? {
        try await connection.query(#"SELECT "is_locked" FROM "knex_migrations_lock""#).first?[0].integer
    }

    /// A sqitch deploy script: the whole file in BEGIN … COMMIT.
    static func wrapped(_ kind: DatabaseKind) -> String {
        kind.isPostgres
            ? sqlMigration(up: "BEGIN;\nCREATE SCHEMA flipr;\nCREATE TABLE flipr.users (id int);\nCOMMIT;", down: "DROP SCHEMA flipr CASCADE;")
            : sqlMigration(up: "BEGIN TRANSACTION;\nCREATE TABLE flipr_users (id int);\nCOMMIT TRANSACTION;", down: "DROP TABLE flipr_users;")
    }

    func hasWrappedTable(_ kind: DatabaseKind, _ connection: any DatabaseConnection) async throws -> Bool {
        let sql = kind.isPostgres
            ? "SELECT 1 FROM pg_tables WHERE schemaname = 'flipr' AND tablename = 'users'"
            : "SELECT 1 FROM sqlite_master WHERE name = 'flipr_users'"
        return try await !connection.query(sql).isEmpty
    }

    @Test("a file wrapped in BEGIN … COMMIT joins the batch's transaction: a later failure leaves nothing, the lock free",
          arguments: DatabaseKind.allCases)
    func wrappedFileJoinsTheBatch(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let (migrator, connection) = try await migrator(database, [
            "001_flipr.sql": Self.wrapped(kind),
            "002_broken.sql": sqlMigration(up: "INSERT INTO no_such_table VALUES (1);"),
        ])
        let error = try await #require(throws: GodwitError.self) { try await migrator.latest() }
        #expect(error.summary == "migration 002_broken.sql failed")
        #expect(try await !hasWrappedTable(kind, connection), "001's COMMIT must not have committed its part")
        #expect(try await applied(connection).isEmpty)
        #expect(try await isLocked(connection) == 0)

        let (fixed, _) = try await self.migrator(database, ["001_flipr.sql": Self.wrapped(kind)], in: "fixed")
        #expect(try await fixed.latest().migrations == ["001_flipr.sql"])
        #expect(try await hasWrappedTable(kind, connection))
        #expect(try await fixed.rollback().migrations == ["001_flipr.sql"])
    }

    @Test("two runners at once with a file wrapped in BEGIN … COMMIT: it runs once, neither fails",
          arguments: DatabaseKind.allCases)
    func wrappedFileTwoRunners(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let files = ["001_flipr.sql": Self.wrapped(kind), "002_more.sql": sqlMigration(up: "CREATE TABLE more (id int);")]
        let (first, connection) = try await migrator(database, files)
        let (second, _) = try await migrator(database, files)
        async let one = first.latest()
        async let two = second.latest()
        let outcomes = try await [one.outcome, two.outcome]
        #expect(outcomes.sorted { "\($0)" < "\($1)" } == [.alreadyUpToDate, .applied])
        #expect(try await applied(connection) == ["001_flipr.sql", "002_more.sql"])
    }

    @Test("any other transaction statement in a transactional section is refused before anything runs, naming file and line",
          arguments: DatabaseKind.allCases)
    func transactionStatementRefused(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        // drizzle-kit's SQLite output, and a PostgreSQL file that commits half-way.
        let middle = kind.isPostgres
            ? "CREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);"
            : "CREATE TABLE a (id int);\nCOMMIT TRANSACTION;\nPRAGMA foreign_keys = OFF;\nBEGIN TRANSACTION;\nCREATE TABLE b (id int);"
        let (migrator, connection) = try await migrator(database, [
            "001_first.sql": sqlMigration(up: "CREATE TABLE first (id int);"),
            "002_middle.sql": sqlMigration(up: middle),
        ])
        let error = try await #require(throws: GodwitError.self) { try await migrator.latest() }
        #expect(error.code == .invalidMigrationFile)
        #expect(error.summary.hasPrefix("cannot run 002_middle.sql as written: 'COMMIT"), "\(error)")
        #expect(error.description.contains("002_middle.sql, line 3 (up)"), "\(error)")
        #expect(error.description.contains("-- migrate:up transaction:false"))
        #expect(error.description.contains("nothing was run"))
        #expect(try await !database.hasTable("first", on: connection))
        #expect(try await applied(connection).isEmpty)

        // Marked transaction:false, a file that controls its transactions runs as the shell would run it.
        let own = kind.isPostgres
            ? middle
            : "CREATE TABLE a (id int);\nPRAGMA foreign_keys = OFF;\nBEGIN TRANSACTION;\nCREATE TABLE b (id int);\nCOMMIT TRANSACTION;"
        let (outside, _) = try await self.migrator(database, [
            "001_first.sql": sqlMigration(up: "CREATE TABLE first (id int);"),
            "002_middle.sql": sqlMigration(up: own, upOptions: "transaction:false"),
        ], in: "outside")
        #expect(try await outside.latest().migrations == ["001_first.sql", "002_middle.sql"])
        #expect(try await database.hasTable("b", on: connection))
    }

    @Test("pg_dump's empty search_path and a SET search_path stay in their migration; Godwit's records still land",
          arguments: [DatabaseKind.postgres, .pgbouncer])
    func sessionStateStaysInItsMigration(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let (migrator, connection) = try await migrator(database, [
            "001_dump.sql": sqlMigration(up: """
                SELECT pg_catalog.set_config('search_path', '', false);
                CREATE SCHEMA app;
                CREATE TABLE public.dumped (id int);
                """),
            "002_app.sql": sqlMigration(up: "SET search_path TO app, public;\nCREATE TABLE in_app (id int);"),
            "003_next.sql": sqlMigration(up: "CREATE TABLE next (id int);"),
            "004_outside.sql": sqlMigration(
                up: "SELECT pg_catalog.set_config('search_path', '', false);\nCREATE TABLE public.outside_a (id int);\nCREATE TABLE public.outside_b (id int);",
                upOptions: "transaction:false"),
            "005_last.sql": sqlMigration(up: "CREATE TABLE last (id int);"),
        ])
        #expect(try await migrator.latest().migrations.count == 5)
        #expect(try await applied(connection) == ["001_dump.sql", "002_app.sql", "003_next.sql", "004_outside.sql", "005_last.sql"])
        let places = try await connection.query(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_name IN ('in_app', 'next', 'last', 'outside_b') ORDER BY 1")
        #expect(places.map { $0[0].text! } == ["app.in_app", "public.last", "public.next", "public.outside_b"])
        // Nothing a migration set is left on a server connection for the next client (through the pooler,
        // the next client may get the very connection the batch ran on).
        for _ in 0..<3 {
            let next = try await database.connect()
            #expect(try await next.query("SHOW search_path")[0][0].text == "\"$user\", public")
        }
    }

    static let enumFiles = [
        "001_type.sql": sqlMigration(up: "CREATE TYPE perm AS ENUM ('read');", down: "DROP TYPE perm;"),
        "002_value.sql": sqlMigration(up: "ALTER TYPE perm ADD VALUE 'write';"),
        "003_use.sql": sqlMigration(up: "CREATE TABLE grants (p perm DEFAULT 'write');", down: "DROP TABLE grants;"),
    ]

    @Test("an enum value added in one file and used in the next: the error says what to do, and both ways work",
          arguments: [DatabaseKind.postgres, .pgbouncer])
    func newEnumValue(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let (migrator, connection) = try await migrator(database, Self.enumFiles)
        let error = try await #require(throws: GodwitError.self) { try await migrator.latest() }
        #expect(error.databaseError?.sqlState == "55P04")
        #expect(error.description.contains("'-- migrate:up transaction:own'"))
        #expect(error.description.contains("--transaction-per-migration"))
        #expect(try await applied(connection).isEmpty)

        // The file that adds the value commits before the next one runs.
        var marked = Self.enumFiles
        marked["002_value.sql"] = sqlMigration(up: "ALTER TYPE perm ADD VALUE 'write';", upOptions: "transaction:own")
        let (own, _) = try await self.migrator(database, marked, in: "marked")
        let report = try await own.latest()
        #expect(report.migrations == ["001_type.sql", "002_value.sql", "003_use.sql"])
        #expect(report.batch == 1)
        #expect(try await isLocked(connection) == 0)
        try await connection.execute(script: "DROP TABLE grants; DROP TYPE perm; DELETE FROM knex_migrations")

        // Or the whole run, by setting.
        let (perMigration, _) = try await self.migrator(
            database, Self.enumFiles, in: "unmarked", settings: Migrator.Settings(transactionPerMigration: true))
        #expect(try await perMigration.latest().migrations.count == 3)
        #expect(try await connection.query("SELECT column_default FROM information_schema.columns WHERE table_name = 'grants'")[0][0].text
            == "'write'::perm")
    }

    @Test("transaction:own: a failure keeps the migrations committed before it, and says so", arguments: DatabaseKind.allCases)
    func ownTransactionFailure(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let (migrator, connection) = try await migrator(database, [
            "001_one.sql": sqlMigration(up: "CREATE TABLE one (id int);", upOptions: "transaction:own"),
            "002_broken.sql": sqlMigration(up: "CREATE TABLE two (id int);\nINSERT INTO nowhere VALUES (1);"),
        ])
        let error = try await #require(throws: GodwitError.self) { try await migrator.latest() }
        #expect(error.description.contains("applied before the failure and kept: 001_one.sql"), "\(error)")
        #expect(try await applied(connection) == ["001_one.sql"])
        #expect(try await !database.hasTable("two", on: connection))
        #expect(try await isLocked(connection) == 0)
    }

    @Test("psql's \\restrict lines are left out; \\set is refused naming its line; sqlite3's .bail on is left out, .mode refused",
          arguments: DatabaseKind.allCases)
    func shellCommands(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let harmless = kind.isPostgres
            ? "\\restrict Xy12\nCREATE TABLE dumped (id int);\n\\unrestrict Xy12"
            : ".bail on\nCREATE TABLE dumped (id int);"
        let refused = kind.isPostgres ? "\\set owner 'app'" : ".mode csv"
        let (migrator, connection) = try await migrator(database, [
            "001_dump.sql": sqlMigration(up: harmless),
            "002_vars.sql": sqlMigration(up: "CREATE TABLE later (id int);\n\(refused)\nSELECT 1;"),
        ])
        let error = try await #require(throws: GodwitError.self) { try await migrator.latest() }
        #expect(error.code == .invalidMigrationFile)
        #expect(error.summary.contains("'\(refused)' is a \(kind.isPostgres ? "psql meta-command" : "command of the sqlite3 shell")"), "\(error)")
        #expect(error.description.contains("002_vars.sql, line 3 (up)"), "\(error)")
        #expect(try await !database.hasTable("dumped", on: connection), "nothing runs before the refusal")

        let (fine, _) = try await self.migrator(database, ["001_dump.sql": sqlMigration(up: harmless)], in: "fine")
        #expect(try await fine.latest().migrations == ["001_dump.sql"])
        #expect(try await database.hasTable("dumped", on: connection))
    }

    static let copy = """
        CREATE TABLE people (id int PRIMARY KEY, name text);
        COPY people (id, name) FROM stdin;
        1\tAda
        2\tsemi; colon -- not a comment
        \\.
        INSERT INTO people VALUES (3, 'Grace');
        """

    static let copyFiles = [
        "001_before.sql": sqlMigration(up: "CREATE TABLE before (id int);"),
        "002_people.sql": sqlMigration(up: copy),
        "003_outside.sql": sqlMigration(
            up: "CREATE TABLE pets (name text);\nCOPY pets FROM stdin;\nRex\nFido\n\\.\n", upOptions: "transaction:false"),
        "004_after.sql": sqlMigration(up: "CREATE TABLE after (id int);"),
    ]

    @Test("COPY … FROM stdin with its rows in the file, in a batch and outside a transaction; a bad row is named by its line",
          arguments: [DatabaseKind.postgres, .pgbouncer])
    func copyFromStdin(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let (migrator, connection) = try await migrator(database, Self.copyFiles)
        #expect(try await migrator.latest().migrations.count == 4)
        #expect(try await connection.query("SELECT name FROM people ORDER BY id").map { $0[0].text! }
            == ["Ada", "semi; colon -- not a comment", "Grace"])
        #expect(try await connection.query("SELECT count(*) FROM pets")[0][0].integer == 2)

        let (bad, _) = try await self.migrator(database, Self.copyFiles.merging([
            "005_bad.sql": sqlMigration(up: "COPY people (id, name) FROM stdin;\n10\tfine\neleven\tnot a number\n\\.\n"),
        ]) { $1 }, in: "bad")
        let error = try await #require(throws: GodwitError.self) { try await bad.latest() }
        #expect(error.databaseError?.sqlState == "22P02")
        #expect(error.description.contains("statement at line 2, column 1; error at line 4, column 1"), "\(error)")
        #expect(error.description.contains("statement: COPY people (id, name) FROM stdin"))
        #expect(try await connection.query("SELECT count(*) FROM people WHERE id = 10")[0][0].integer == 0)
    }

    @Test("COPY … FROM stdin on SQLite is refused before anything runs")
    func copyOnSQLite() async throws {
        let database = try await TestDatabase.make(.sqlite)
        let (migrator, connection) = try await migrator(database, [
            "001_people.sql": sqlMigration(up: "CREATE TABLE people (id int, name text);\nCOPY people FROM stdin;\n1\tAda\n\\.\n"),
        ])
        let error = try await #require(throws: GodwitError.self) { try await migrator.latest() }
        #expect(error.summary.contains("SQLite has no COPY"), "\(error)")
        #expect(error.description.contains("001_people.sql, line 3 (up)"))
        #expect(try await !database.hasTable("people", on: connection))
    }

    @Test("SET standard_conforming_strings = off: later strings are read with backslash escapes, the next file without",
          arguments: [DatabaseKind.postgres, .pgbouncer])
    func standardConformingStrings(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let (migrator, connection) = try await migrator(database, [
            "001_table.sql": sqlMigration(up: "CREATE TABLE quotes (body text);"),
            "002_old.sql": sqlMigration(up: "SET standard_conforming_strings = off;\nINSERT INTO quotes VALUES ('it\\'s');"),
            "003_new.sql": sqlMigration(up: "INSERT INTO quotes VALUES ('back\\slash');"),
        ])
        #expect(try await migrator.latest().migrations.count == 3)
        #expect(try await connection.query("SELECT body FROM quotes ORDER BY body").map { $0[0].text! } == ["back\\slash", "it's"])
    }

    @Test("an empty down section: refused by default; nothing-to-undo or allowEmptyDown rolls back", arguments: DatabaseKind.allCases)
    func emptyDown(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let files = [
            "001_kept.sql": sqlMigration(up: "CREATE TABLE kept (id int);", down: "DROP TABLE kept;"),
            "002_seed.sql": sqlMigration(up: "INSERT INTO kept VALUES (1);"),
        ]
        let (migrator, connection) = try await migrator(database, files)
        _ = try await migrator.latest()
        let error = try await #require(throws: GodwitError.self) { try await migrator.rollback() }
        #expect(error.code == .irreversibleMigration)
        #expect(error.description.contains("nothing-to-undo"))
        #expect(error.description.contains("--allow-empty-down"))
        #expect(try await applied(connection).count == 2)

        var marked = files
        marked["002_seed.sql"] = sqlMigration(up: "INSERT INTO kept VALUES (1);", downOptions: "nothing-to-undo")
        let (nothingToUndo, _) = try await self.migrator(database, marked, in: "marked")
        #expect(try await nothingToUndo.rollback().migrations == ["002_seed.sql", "001_kept.sql"])
        #expect(try await applied(connection).isEmpty)

        _ = try await migrator.latest()
        let (allowing, _) = try await self.migrator(database, files, in: "allowing", settings: Migrator.Settings(allowEmptyDown: true))
        #expect(try await allowing.rollback().migrations == ["002_seed.sql", "001_kept.sql"])
    }

    @Test("a failed statement is printed with its line breaks, indented, so a -- comment swallows nothing")
    func statementWithLineBreaks() async throws {
        let database = try await TestDatabase.make(.postgres)
        let (migrator, _) = try await migrator(database, [
            "001_broken.sql": sqlMigration(up: "SELECT 1 -- the first column\n     , 2\n  FROM nowhere;"),
        ])
        let error = try await #require(throws: GodwitError.self) { try await migrator.latest() }
        #expect(error.description.contains("\n  statement:\n    SELECT 1 -- the first column\n       , 2\n    FROM nowhere\n"), "\(error)")
    }
}
