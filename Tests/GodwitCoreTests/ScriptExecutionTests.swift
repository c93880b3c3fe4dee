import GodwitCore
import GodwitTestSupport
import Testing

/// A section runs as psql / the sqlite3 shell would run it.
@Suite("SQL sections on real databases")
struct ScriptExecutionTests {
    /// Statements that hide `;` where a naive split would break them.
    static let postgresScript = """
        /* a block comment; /* nested; */ still a comment */
        CREATE TABLE notes (id serial primary key, body text);
        INSERT INTO notes (body) VALUES ('semi;colon'), ('it''s; quoted'), (E'back\\\\slash\\'; escaped');
        CREATE FUNCTION add_note(t text) RETURNS void LANGUAGE plpgsql AS $body$
        BEGIN
          INSERT INTO notes (body) VALUES (t); -- a ; inside a dollar-quoted body
        END;
        $body$;
        CREATE FUNCTION two() RETURNS int LANGUAGE sql
        BEGIN ATOMIC
          SELECT 1;
          SELECT CASE WHEN true THEN 2 ELSE 3 END;
        END;
        SELECT add_note($$dollar; quoted$$);
        CREATE TABLE "weird;name" ("a;b" int);
        """

    @Test("PostgreSQL: strings, comments, dollar quotes and BEGIN ATOMIC bodies, in and out of a transaction",
          arguments: [true, false])
    func postgresScript(inTransaction: Bool) async throws {
        let database = try await TestDatabase.make(.postgres)
        let connection = try await database.connect()
        if inTransaction { _ = try await connection.query("BEGIN") }
        try await connection.execute(script: Self.postgresScript)
        if inTransaction { _ = try await connection.query("COMMIT") }
        let bodies = try await connection.query("SELECT body FROM notes ORDER BY id").map { $0[0].text! }
        #expect(bodies == ["semi;colon", "it's; quoted", "back\\slash'; escaped", "dollar; quoted"])
        #expect(try await connection.query("SELECT two()")[0][0].integer == 2)
        #expect(try await database.hasTable("weird;name", on: connection))
    }

    @Test("a query whose rows stop with an error mid-way throws the database's error, and the connection goes on",
          arguments: DatabaseKind.allCases)
    func queryFailingMidResult(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let connection = try await database.connect()
        _ = try await connection.query("CREATE TABLE numbers (n integer)")
        _ = try await connection.query("INSERT INTO numbers (n) VALUES (1), (2), (3), (4)")
        // Rows 1 and 2 come back before row 3 fails (PostgreSQL sends rows one by one; SQLite steps to it).
        let (failing, message) = kind == .sqlite
            ? ("SELECT CASE WHEN n < 3 THEN n ELSE abs(-9223372036854775807 - 1) END FROM numbers ORDER BY n", "integer overflow")
            : ("SELECT 10 / (3 - n) FROM numbers ORDER BY n", "division by zero")
        let failure = await #expect(throws: DatabaseError.self) { try await connection.query(failing) }
        #expect(failure?.message == message)
        #expect(failure?.statement == failing)
        let rows = try await connection.query("SELECT n, n * 1.5, 'x' || n, NULL FROM numbers ORDER BY n")
        #expect(rows.count == 4)
        #expect(rows[3][0] == .integer(4))
        #expect(rows[3][2] == .text("x4"))
        #expect(rows[3][3] == .null)
    }

    @Test("SQLite: trigger bodies and strings holding semicolons")
    func sqliteScript() async throws {
        let database = try await TestDatabase.make(.sqlite)
        let connection = try await database.connect()
        try await connection.execute(script: """
            CREATE TABLE notes (id integer primary key, body text);
            CREATE TABLE audit (note_id integer, what text);
            -- a comment; with a semicolon
            CREATE TRIGGER notes_audit AFTER INSERT ON notes BEGIN
              INSERT INTO audit VALUES (new.id, 'insert;');
              INSERT INTO audit VALUES (new.id, 'twice');
            END;
            INSERT INTO notes (body) VALUES ('semi;colon'), ('it''s');
            """)
        #expect(try await connection.query("SELECT body FROM notes ORDER BY id").map { $0[0].text! } == ["semi;colon", "it's"])
        #expect(try await connection.query("SELECT count(*) FROM audit")[0][0].integer == 4)
    }

    @Test("a transaction:false section runs outside the transaction, next to transactional migrations",
          arguments: DatabaseKind.allCases)
    func nonTransactionalSection(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        // Each of these fails inside a transaction block.
        let outside = kind.isPostgres
            ? "CREATE INDEX CONCURRENTLY users_email_index ON users (email);"
            : "VACUUM;"
        let directory = try database.writeMigrations([
            "001_users.sql": sqlMigration(up: "CREATE TABLE users (id integer primary key, email text);", down: "DROP TABLE users;"),
            "002_index.sql": sqlMigration(up: outside, down: kind.isPostgres ? "DROP INDEX CONCURRENTLY users_email_index;" : "SELECT 1;",
                                          upOptions: "transaction:false", downOptions: "transaction:false"),
            "003_posts.sql": sqlMigration(up: "CREATE TABLE posts (id integer primary key);", down: "DROP TABLE posts;"),
        ])
        let connection = try await database.connect()
        let migrator = Migrator(connection: connection, migrations: try MigrationDirectory(path: directory).load(), source: directory)
        let report = try await migrator.latest()
        #expect(report.migrations == ["001_users.sql", "002_index.sql", "003_posts.sql"])
        #expect(try await connection.query(#"SELECT DISTINCT "batch" FROM "knex_migrations""#).map { $0[0].integer } == [1])
        if kind.isPostgres {
            #expect(try await !connection.query("SELECT 1 FROM pg_indexes WHERE indexname = 'users_email_index'").isEmpty)
        }
        #expect(try await connection.query(#"SELECT "is_locked" FROM "knex_migrations_lock""#)[0][0].integer == 0)
        #expect(try await migrator.rollback().migrations == ["003_posts.sql", "002_index.sql", "001_users.sql"])
        #expect(try await connection.query(#"SELECT "is_locked" FROM "knex_migrations_lock""#)[0][0].integer == 0)
    }

    @Test("a failing statement outside a transaction is named with its line; earlier migrations stay applied",
          arguments: DatabaseKind.allCases)
    func nonTransactionalFailure(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let directory = try database.writeMigrations([
            "001_users.sql": sqlMigration(up: "CREATE TABLE users (id integer primary key);"),
            "002_broken.sql": sqlMigration(up: "CREATE TABLE kept (id integer);\nSELECT * FROM missing_table;", upOptions: "transaction:false"),
        ])
        let connection = try await database.connect()
        let migrator = Migrator(connection: connection, migrations: try MigrationDirectory(path: directory).load(), source: directory)
        let error = try await #require(throws: GodwitError.self) { try await migrator.latest() }
        #expect(error.summary == "migration 002_broken.sql failed")
        #expect(error.description.contains("statement at line 3, column 1"))
        #expect(error.description.contains("applied before the failure and kept: 001_users.sql"))
        #expect(error.description.contains("its statements 1–1 of 2 completed and stay in effect"))
        #expect(error.description.contains("'godwit latest --resume' (statements 2–2)"))
        #expect(try await connection.query(#"SELECT "name" FROM "knex_migrations""#).map { $0[0].text! } == ["001_users.sql"])
        #expect(try await connection.query(#"SELECT "is_locked" FROM "knex_migrations_lock""#)[0][0].integer == 0)

        // The next run refuses until told how to finish, and says what is known.
        let refused = try await #require(throws: GodwitError.self) { try await migrator.latest() }
        #expect(refused.code == .interruptedMigration)
        #expect(refused.description.contains("statements 1–1 of 2 completed and are in effect"))
        #expect(refused.description.contains("statement 2 of 2 failed"))
        #expect(refused.description.contains("godwit latest --resume"))

        // Resuming runs statement 2 only: statement 1 (CREATE TABLE kept) would fail if it ran twice.
        _ = try await connection.query("CREATE TABLE missing_table (id integer)")
        let resumed = try await migrator.latest(.init(interrupted: .resume))
        #expect(resumed.migrations == ["002_broken.sql"])
        #expect(try await connection.query(#"SELECT "name" FROM "knex_migrations" ORDER BY "id""#).map { $0[0].text! }
            == ["001_users.sql", "002_broken.sql"])
        #expect(try await migrator.status().interrupted.isEmpty)
        #expect(try await migrator.latest().outcome == .alreadyUpToDate)
    }
}
