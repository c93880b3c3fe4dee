import GodwitCore
import GodwitTestSupport
import Testing

/// Knex's commands, run by the engine against real databases.
@Suite("Migrator on real databases")
struct MigratorTests {
    static let three = [
        "001_users.sql": sqlMigration(up: "CREATE TABLE users (id integer primary key, email varchar(255));", down: "DROP TABLE users;"),
        "002_posts.sql": sqlMigration(up: "CREATE TABLE posts (id integer primary key, title text);", down: "DROP TABLE posts;"),
        "003_tags.sql": sqlMigration(up: "CREATE TABLE tags (id integer primary key);", down: "DROP TABLE tags;"),
    ]

    func migrator(
        _ database: TestDatabase, _ files: [String: String], settings: Migrator.Settings = Migrator.Settings()
    ) async throws -> (Migrator, any DatabaseConnection) {
        let directory = try database.writeMigrations(files)
        let connection = try await database.connect()
        let migrations = try MigrationDirectory(path: directory).load()
        return (Migrator(connection: connection, migrations: migrations, source: directory, settings: settings), connection)
    }

    func applied(_ connection: any DatabaseConnection) async throws -> [(name: String, batch: Int)] {
        try await connection.query(#"SELECT "name", "batch" FROM "knex_migrations" ORDER BY "id""#)
            .map { ($0[0].text!, Int($0[1].integer!)) }
    }

    func isLocked(_ connection: any DatabaseConnection) async throws -> [Int64] {
        try await connection.query(#"SELECT "is_locked" FROM "knex_migrations_lock""#).map { $0[0].integer! }
    }

    @Test("latest applies every pending migration as one batch, then is up to date", arguments: DatabaseKind.allCases)
    func latest(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let (migrator, connection) = try await migrator(database, Self.three)
        let report = try await migrator.latest()
        #expect(report.outcome == .applied)
        #expect(report.batch == 1)
        #expect(report.migrations == ["001_users.sql", "002_posts.sql", "003_tags.sql"])
        #expect(try await applied(connection).map(\.name) == ["001_users.sql", "002_posts.sql", "003_tags.sql"])
        #expect(try await applied(connection).allSatisfy { $0.batch == 1 })
        #expect(try await database.hasTable("tags", on: connection))
        #expect(try await isLocked(connection) == [0])
        let again = try await migrator.latest()
        #expect(again.outcome == .alreadyUpToDate)
        #expect(try await applied(connection).count == 3)
    }

    @Test("rollback undoes the whole last batch, newest first; --all undoes the rest", arguments: DatabaseKind.allCases)
    func rollback(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        var files = Self.three
        files.removeValue(forKey: "003_tags.sql")
        let (first, connection) = try await migrator(database, files)
        _ = try await first.latest()
        let (migrator, _) = try await self.migrator(database, Self.three)
        #expect(try await migrator.latest().batch == 2)

        let report = try await migrator.rollback()
        #expect(report.outcome == .rolledBack)
        #expect(report.batch == 2)
        #expect(report.migrations == ["003_tags.sql"])
        #expect(try await !database.hasTable("tags", on: connection))
        #expect(try await database.hasTable("posts", on: connection))

        _ = try await migrator.latest()
        let all = try await migrator.rollback(all: true)
        #expect(all.migrations == ["003_tags.sql", "002_posts.sql", "001_users.sql"])
        #expect(try await applied(connection).isEmpty)
        #expect(try await !database.hasTable("users", on: connection))
        #expect(try await migrator.rollback().outcome == .nothingToRollBack)
    }

    @Test("up applies the next pending migration as its own batch; down undoes the last", arguments: DatabaseKind.allCases)
    func upAndDown(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let (migrator, connection) = try await migrator(database, Self.three)
        #expect(try await migrator.up().migrations == ["001_users.sql"])
        #expect(try await migrator.up().migrations == ["002_posts.sql"])
        #expect(try await applied(connection).map(\.batch) == [1, 2])
        #expect(try await migrator.up(name: "003_tags").migrations == ["003_tags.sql"])
        #expect(try await migrator.up().outcome == .alreadyUpToDate)
        #expect(try await migrator.down().migrations == ["003_tags.sql"])
        #expect(try await migrator.down(name: "001_users.sql").migrations == ["001_users.sql"])
        #expect(try await applied(connection).map(\.name) == ["002_posts.sql"])
        await #expect(throws: GodwitError.self) { try await migrator.down(name: "001_users.sql") }
    }

    @Test("a failure in migration 3 of 5 leaves nothing behind and frees the lock", arguments: DatabaseKind.allCases)
    func failureLeavesNothing(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        var files = Self.three
        files["003_tags.sql"] = sqlMigration(up: "CREATE TABLE tags (id integer);\n\nINSERT INTO no_such_table VALUES (1);")
        files["004_more.sql"] = sqlMigration(up: "CREATE TABLE more (id integer);")
        files["005_last.sql"] = sqlMigration(up: "CREATE TABLE last (id integer);")
        let (migrator, connection) = try await migrator(database, files)
        let error = try await #require(throws: GodwitError.self) { try await migrator.latest() }
        #expect(error.code == .migrationFailed)
        let message = error.description
        #expect(message.contains("migration 003_tags.sql failed"))
        #expect(message.contains("statement at line 4, column 1"))
        #expect(message.contains("INSERT INTO no_such_table VALUES (1)"))
        #expect(message.contains(kind.isPostgres ? "relation \"no_such_table\" does not exist (SQLSTATE 42P01)" : "no such table: no_such_table"))
        #expect(message.contains("nothing from this batch was applied"))
        for table in ["users", "posts", "tags", "more", "last"] {
            #expect(try await !database.hasTable(table, on: connection), "\(table) was left behind")
        }
        #expect(try await applied(connection).isEmpty)
        #expect(try await isLocked(connection) == [0])
    }

    @Test("an applied migration whose file is gone stops latest before anything runs", arguments: DatabaseKind.allCases)
    func missingFile(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let (first, connection) = try await migrator(database, ["001_users.sql": Self.three["001_users.sql"]!])
        _ = try await first.latest()
        let (migrator, _) = try await migrator(
            database.inSubfolder("other"),
            ["002_posts.sql": Self.three["002_posts.sql"]!])
        let error = try await #require(throws: GodwitError.self) { try await migrator.latest() }
        #expect(error.code == .missingMigrationFiles)
        #expect(error.summary.contains("the following files are missing: 001_users.sql"))
        #expect(try await !database.hasTable("posts", on: connection))
        await #expect(throws: GodwitError.self) { try await migrator.rollback() }
    }

    @Test("a database Knex migrated is taken over: .ts records match .sql files", arguments: DatabaseKind.allCases)
    func knexTakeover(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let connection = try await database.connect()
        // The tables and rows exactly as Knex 3.3 leaves them (see shared/knex-reference.md).
        let knexTables = kind.isPostgres
            ? [#"create table "knex_migrations" ("id" serial primary key, "name" varchar(255), "batch" integer, "migration_time" timestamptz)"#,
               #"create table "knex_migrations_lock" ("index" serial primary key, "is_locked" integer)"#,
               #"insert into "knex_migrations_lock" ("is_locked") values (0)"#,
               #"insert into "knex_migrations" ("name", "batch", "migration_time") values ('001_initial_schema.ts', 1, now())"#]
            : ["CREATE TABLE `knex_migrations` (`id` integer not null primary key autoincrement, `name` varchar(255), `batch` integer, `migration_time` datetime)",
               "CREATE TABLE `knex_migrations_lock` (`index` integer not null primary key autoincrement, `is_locked` integer)",
               "insert into `knex_migrations_lock` (`is_locked`) values (0)",
               "insert into `knex_migrations` (`name`, `batch`, `migration_time`) values ('001_initial_schema.ts', 1, 1795601425802)"]
        for statement in knexTables { _ = try await connection.query(statement) }
        _ = try await connection.query("CREATE TABLE users (id integer primary key)")

        let (migrator, _) = try await migrator(database, [
            "001_initial_schema.sql": sqlMigration(up: "CREATE TABLE users (id integer primary key);", down: "DROP TABLE users;"),
            "002_add_user_email_index.sql": sqlMigration(up: "CREATE INDEX users_id_index ON users (id);", down: "DROP INDEX users_id_index;"),
        ])
        let state = try await migrator.status()
        #expect(state.completed.map(\.record.name) == ["001_initial_schema.ts"])
        #expect(state.completed.first?.migration?.name == "001_initial_schema.sql")
        #expect(state.completed.first?.record.epochMilliseconds != nil)
        #expect(state.pending.map(\.name) == ["002_add_user_email_index.sql"])

        // While the history shows Knex's names, new records get Knex's extension: a Knex runner sharing the
        // database finds them done.
        let report = try await migrator.latest()
        #expect(report.migrations == ["002_add_user_email_index.ts"])
        #expect(report.batch == 2)
        #expect(try await applied(connection).map(\.name) == ["001_initial_schema.ts", "002_add_user_email_index.ts"])
        #expect(try await migrator.status().completed.map { $0.migration?.name } == ["001_initial_schema.sql", "002_add_user_email_index.sql"])
        #expect(try await migrator.rollback().migrations == ["002_add_user_email_index.ts"])
        #expect(try await applied(connection).map(\.name) == ["001_initial_schema.ts"])

        // Once the Node runners are gone (GODWIT_KNEX_NAMES=off): the files' own names.
        let own = Migrator(
            connection: connection, migrations: migrator.migrations, source: migrator.source,
            settings: Migrator.Settings(recordNames: .fileNames))
        #expect(try await own.latest().migrations == ["002_add_user_email_index.sql"])
        #expect(try await applied(connection).map(\.name) == ["001_initial_schema.ts", "002_add_user_email_index.sql"])
    }

    @Test("the tracking tables have the column types Knex creates", arguments: DatabaseKind.allCases)
    func trackingTableTypes(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let (migrator, connection) = try await migrator(database, ["001_users.sql": Self.three["001_users.sql"]!])
        _ = try await migrator.latest()
        switch kind {
        case .postgres, .pgbouncer:
            let columns = try await connection.query("""
                SELECT table_name, column_name, data_type, character_maximum_length, column_default
                FROM information_schema.columns WHERE table_name IN ('knex_migrations', 'knex_migrations_lock')
                ORDER BY table_name, ordinal_position
                """).map { $0.map { $0.text ?? "" } }
            #expect(columns == [
                ["knex_migrations", "id", "integer", "", "nextval('knex_migrations_id_seq'::regclass)"],
                ["knex_migrations", "name", "character varying", "255", ""],
                ["knex_migrations", "batch", "integer", "", ""],
                ["knex_migrations", "migration_time", "timestamp with time zone", "", ""],
                ["knex_migrations_lock", "index", "integer", "", "nextval('knex_migrations_lock_index_seq'::regclass)"],
                ["knex_migrations_lock", "is_locked", "integer", "", ""],
            ])
            let keys = try await connection.query(
                """
                SELECT conname FROM pg_constraint
                WHERE conrelid IN ('knex_migrations'::regclass, 'knex_migrations_lock'::regclass) ORDER BY conname
                """).map { $0[0].text! }
            #expect(keys == ["knex_migrations_lock_pkey", "knex_migrations_pkey"])
        case .sqlite:
            // SQLite keeps each table's CREATE statement: it must be Knex's, to the letter.
            let statements = try await connection.query(
                "SELECT sql FROM sqlite_master WHERE name IN ('knex_migrations', 'knex_migrations_lock') ORDER BY name"
            ).map { $0[0].text! }
            #expect(statements == [
                "CREATE TABLE `knex_migrations` (`id` integer not null primary key autoincrement, `name` varchar(255), `batch` integer, `migration_time` datetime)",
                "CREATE TABLE `knex_migrations_lock` (`index` integer not null primary key autoincrement, `is_locked` integer)",
            ])
            let time = try await connection.query(#"SELECT typeof("migration_time") FROM "knex_migrations""#)
            #expect(time.allSatisfy { $0[0].text == "integer" }, "epoch milliseconds, as Knex stores them")
        }
        #expect(try await isLocked(connection) == [0])
        _ = try await migrator.latest()
        #expect(try await isLocked(connection) == [0], "a second run adds no lock row")
    }

    @Test("a Knex runner's lock (is_locked = 1) makes latest wait, then give up naming it; unlock frees it", arguments: DatabaseKind.allCases)
    func knexLockRespected(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let (migrator, connection) = try await migrator(database, Self.three, settings: .init(lockTimeout: .milliseconds(300)))
        try await migrator.unlock()
        _ = try await connection.query(#"UPDATE "knex_migrations_lock" SET "is_locked" = 1"#)
        let error = try await #require(throws: GodwitError.self) { try await migrator.latest() }
        #expect(error.code == .locked)
        #expect(error.summary.contains("gave up waiting for the migration lock"))
        #expect(error.summary.contains("knex_migrations_lock.is_locked is 1"))
        #expect(error.description.contains("godwit unlock"))
        #expect(try await applied(connection).isEmpty)
        #expect(try await !database.hasTable("users", on: connection))
        try await migrator.unlock()
        #expect(try await isLocked(connection) == [0])
        #expect(try await migrator.latest().migrations.count == 3)
    }

    @Test("a runner waits while a Knex runner holds the lock, then runs once it is freed", arguments: DatabaseKind.allCases)
    func waitsForKnexLock(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let (migrator, connection) = try await migrator(database, Self.three, settings: .init(lockTimeout: .seconds(30)))
        try await migrator.unlock()
        _ = try await connection.query(#"UPDATE "knex_migrations_lock" SET "is_locked" = 1"#)
        async let report = migrator.latest()
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await applied(connection).isEmpty, "nothing runs while the Knex lock is held")
        let other = try await database.connect()
        _ = try await other.query(#"UPDATE "knex_migrations_lock" SET "is_locked" = 0"#)
        #expect(try await report.migrations.count == 3)
        #expect(try await isLocked(connection) == [0])
    }

    @Test("two runners at once: one applies each migration once, the other finds the work done", arguments: DatabaseKind.allCases)
    func concurrentRunners(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        var files = Self.three
        files["004_slow.sql"] = sqlMigration(
            up: kind.isPostgres ? "SELECT pg_sleep(0.5);" : "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) SELECT count(*) FROM c;")
        let (first, connection) = try await migrator(database, files)
        let (second, _) = try await migrator(database, files)
        async let a = first.latest()
        async let b = second.latest()
        let outcomes = try await [a.outcome, b.outcome].sorted { $0.rawValue < $1.rawValue }
        #expect(outcomes == [.alreadyUpToDate, .applied])
        #expect(try await applied(connection).map(\.batch) == [1, 1, 1, 1])
        #expect(try await isLocked(connection) == [0])
    }

    @Test("a rollback whose down section is empty refuses, naming the file", arguments: DatabaseKind.allCases)
    func irreversible(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        var files = Self.three
        files["002_posts.sql"] = sqlMigration(up: "CREATE TABLE posts (id integer);", down: "-- nothing to undo")
        let (migrator, connection) = try await migrator(database, files)
        _ = try await migrator.latest()
        let error = try await #require(throws: GodwitError.self) { try await migrator.rollback() }
        #expect(error.code == .irreversibleMigration)
        #expect(error.summary.contains("002_posts.sql"))
        #expect(try await applied(connection).count == 3)
        #expect(try await database.hasTable("tags", on: connection))
    }

    @Test("an edited applied file stops latest, naming it; whitespace and line endings do not count; --accept-edits keeps the new checksum",
          arguments: DatabaseKind.allCases)
    func editedMigrations(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let (first, connection) = try await migrator(database, Self.three)
        _ = try await first.latest()
        let checksums = try await connection.query(#"SELECT count(*) FROM "knex_migrations_godwit" WHERE "checksum" IS NOT NULL"#)
        #expect(checksums[0][0].integer == 3)

        // Re-indented, with CRLF line endings: the same migration.
        var files = Self.three
        files["002_posts.sql"] = files["002_posts.sql"]!.replacing("\n", with: "\r\n").replacing(" (", with: "\t  (")
        files["004_more.sql"] = sqlMigration(up: "CREATE TABLE more (id integer);")
        let (reformatted, _) = try await migrator(database.inSubfolder("reformatted"), files)
        #expect(try await reformatted.latest().migrations == ["004_more.sql"])

        // A changed word is an edit: nothing runs, and the file is named.
        files["002_posts.sql"] = sqlMigration(up: "CREATE TABLE posts (id integer primary key, body text);", down: "DROP TABLE posts;")
        files["005_last.sql"] = sqlMigration(up: "CREATE TABLE last (id integer);")
        let (edited, _) = try await migrator(database.inSubfolder("edited"), files)
        let error = try await #require(throws: GodwitError.self) { try await edited.latest() }
        #expect(error.code == .editedMigrations)
        #expect(error.summary.hasSuffix("edited/migrations/002_posts.sql"), "\(error.summary)")
        #expect(error.description.contains("--accept-edits"))
        #expect(try await !database.hasTable("last", on: connection))
        #expect(try await edited.status().edited.map(\.record.name) == ["002_posts.sql"])

        #expect(try await edited.latest(.init(acceptEdits: true)).migrations == ["005_last.sql"])
        #expect(try await edited.status().edited.isEmpty, "the new checksum is kept")
        #expect(try await edited.latest().outcome == .alreadyUpToDate)
    }

    @Test("migrations applied before checksums were kept (by Knex) get theirs on first sight", arguments: DatabaseKind.allCases)
    func checksumsOnFirstSight(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let (migrator, connection) = try await migrator(database, Self.three)
        _ = try await migrator.latest()
        _ = try await connection.query(#"DROP TABLE "knex_migrations_godwit""#)
        #expect(try await migrator.status().completed.allSatisfy { $0.record.checksum == nil })
        #expect(try await migrator.latest().outcome == .alreadyUpToDate)
        let kept = try await connection.query(#"SELECT "name" FROM "knex_migrations_godwit" ORDER BY "name""#).map { $0[0].text! }
        #expect(kept == ["001_users.sql", "002_posts.sql", "003_tags.sql"])
    }

    @Test("records and checksums stored out of order (rows deleted and inserted again by hand) are read in the order applied, each with its own checksum and time",
          arguments: DatabaseKind.allCases)
    func rowsOutOfOrder(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let (first, connection) = try await migrator(database, Self.three)
        _ = try await first.latest()
        let epochMilliseconds = kind.isPostgres
            ? #"(extract(epoch from "migration_time") * 1000)::bigint"# : #""migration_time""#
        let times = try await connection.query(#"SELECT "name", \#(epochMilliseconds) FROM "knex_migrations" ORDER BY "id""#)
            .map { "\($0[0].text!) \($0[1].integer!)" }
        // The first record and the second checksum, deleted and inserted again, now come last from a scan.
        let record = try await connection.query(#"SELECT "id", "migration_time" FROM "knex_migrations" WHERE "name" = '001_users.sql'"#)[0]
        _ = try await connection.query(#"DELETE FROM "knex_migrations" WHERE "name" = '001_users.sql'"#)
        _ = try await connection.query(
            kind.isPostgres
                ? #"INSERT INTO "knex_migrations" ("id", "name", "batch", "migration_time") VALUES ($1, '001_users.sql', 1, $2::timestamptz)"#
                : #"INSERT INTO "knex_migrations" ("id", "name", "batch", "migration_time") VALUES (?1, '001_users.sql', 1, ?2)"#,
            [record[0], record[1]])
        let kept = try await connection.query(#"SELECT "checksum" FROM "knex_migrations_godwit" WHERE "name" = '002_posts.sql'"#)[0][0]
        _ = try await connection.query(#"DELETE FROM "knex_migrations_godwit" WHERE "name" = '002_posts.sql'"#)
        _ = try await connection.query(
            kind.isPostgres
                ? #"INSERT INTO "knex_migrations_godwit" ("name", "checksum") VALUES ('002_posts.sql', $1)"#
                : #"INSERT INTO "knex_migrations_godwit" ("name", "checksum") VALUES ('002_posts.sql', ?1)"#, [kept])

        let state = try await first.status()
        #expect(state.completed.map { "\($0.record.name) \($0.record.epochMilliseconds!)" } == times)
        #expect(state.completed.allSatisfy { $0.record.checksum != nil && $0.record.checksum == $0.migration?.checksum })
        #expect(try await first.latest().outcome == .alreadyUpToDate)

        var files = Self.three
        files["002_posts.sql"] = sqlMigration(up: "CREATE TABLE posts (id integer primary key, body text);", down: "DROP TABLE posts;")
        let (edited, _) = try await migrator(database.inSubfolder("edited"), files)
        #expect(try await edited.status().edited.map(\.record.name) == ["002_posts.sql"])
    }

    @Test("a statement that waits too long for a table lock is retried, then the batch succeeds once the lock is gone")
    func ddlLockTimeoutRetried() async throws {
        let database = try await TestDatabase.make(.postgres)
        let (setup, connection) = try await migrator(database, ["001_users.sql": Self.three["001_users.sql"]!])
        _ = try await setup.latest()
        var files = ["001_users.sql": Self.three["001_users.sql"]!]
        files["002_phone.sql"] = sqlMigration(up: "ALTER TABLE users ADD COLUMN phone text;")
        let settings = Migrator.Settings(ddlLockTimeout: .milliseconds(100), ddlRetries: 4)
        let (patient, _) = try await migrator(database.inSubfolder("next"), files, settings: settings)

        // A long transaction reading users blocks ALTER TABLE; without a lock_timeout every later query
        // on users would queue behind the ALTER.
        let reader = try await database.connect()
        _ = try await reader.query("BEGIN")
        _ = try await reader.query("SELECT count(*) FROM users")
        async let report = patient.latest()
        try await Task.sleep(for: .milliseconds(700))
        _ = try await reader.query("COMMIT")
        #expect(try await report.migrations == ["002_phone.sql"])

        // Held for good: the retries run out and the batch fails clearly, leaving nothing.
        files["003_more.sql"] = sqlMigration(up: "ALTER TABLE users ADD COLUMN more text;")
        let (stuck, _) = try await migrator(
            database.inSubfolder("stuck"), files, settings: .init(ddlLockTimeout: .milliseconds(100), ddlRetries: 1))
        _ = try await reader.query("BEGIN")
        _ = try await reader.query("SELECT count(*) FROM users")
        let error = try await #require(throws: GodwitError.self) { try await stuck.latest() }
        _ = try await reader.query("COMMIT")
        #expect(error.code == .migrationFailed)
        #expect(error.description.contains("canceling statement due to lock timeout"), "\(error)")
        #expect(error.description.contains("nothing from this batch was applied"))
        #expect(try await applied(connection).map(\.name) == ["001_users.sql", "002_phone.sql"])
    }
}
