import GodwitCore
import GodwitSchema
import GodwitTestSupport
import Testing

/// Knex's schema builder, written in Swift, rendered per dialect and applied to the real databases.
@Suite("Schema builder on real databases")
struct SchemaBuilderTests {
    static let kinds: [DatabaseKind] = [.sqlite, .postgres]

    func setUp(_ kind: DatabaseKind, _ migrations: [Migration]) async throws -> (Migrator, Catalog) {
        let database = try await TestDatabase.make(kind)
        let connection = try await database.connect()
        return (Migrator(connection: connection, migrations: migrations, source: "tests"), Catalog(kind: kind, connection: connection))
    }

    static let users = Migration.swift("001_users.swift") { db in
        try await db.schema.createTable("users") { table in
            table.increments("id")
            table.string("email", 320).notNullable().unique()
            table.string("name").index()
            table.boolean("active").defaultTo(true)
            table.integer("age").checkPositive()
            table.timestamps(defaultToNow: true)
        }
    } down: { db in
        try await db.schema.dropTable("users")
    }

    @Test("createTable renders Knex's DDL and names, which the database then holds", arguments: kinds)
    func createTable(kind: DatabaseKind) async throws {
        let (migrator, catalog) = try await setUp(kind, [Self.users])
        let statements = try await migrator.latestDryRun().steps.flatMap(\.statements)
        if kind == .sqlite {
            #expect(statements == [
                #"create table "users" ("id" integer not null primary key autoincrement, "email" varchar(320) not null, "name" varchar(255), "active" boolean default 1, "age" integer check ("age" > 0), "created_at" datetime not null default CURRENT_TIMESTAMP, "updated_at" datetime not null default CURRENT_TIMESTAMP)"#,
                #"create unique index "users_email_unique" on "users" ("email")"#,
                #"create index "users_name_index" on "users" ("name")"#,
            ])
        } else {
            #expect(statements == [
                #"create table "users" ("id" serial primary key, "email" varchar(320) not null, "name" varchar(255), "active" boolean default true, "age" integer check ("age" > 0), "created_at" timestamptz not null default CURRENT_TIMESTAMP, "updated_at" timestamptz not null default CURRENT_TIMESTAMP)"#,
                #"alter table "users" add constraint "users_email_unique" unique ("email")"#,
                #"create index "users_name_index" on "users" ("name")"#,
            ])
        }
        #expect(try await !catalog.tableExists("users"), "a dry run changes nothing")
        #expect(try await !catalog.tableExists("knex_migrations"), "a dry run creates no tracking tables")

        _ = try await migrator.latest()
        let columns = try await catalog.columns("users")
        #expect(Set(columns.keys) == ["id", "email", "name", "active", "age", "created_at", "updated_at"])
        #expect(columns["email"]?.nullable == false)
        #expect(columns["name"]?.nullable == true)
        #expect(columns["email"]?.type == (kind == .sqlite ? "varchar(320)" : "character varying"))
        #expect(columns["created_at"]?.type == (kind == .sqlite ? "datetime" : "timestamp with time zone"))
        let indexes = try await catalog.indexes("users")
        #expect(indexes.isSuperset(of: ["users_email_unique", "users_name_index"]))
        if kind == .postgres { #expect(indexes.contains("users_pkey")) }

        let connection = catalog.connection
        _ = try await connection.query(#"INSERT INTO "users" ("email") VALUES ('a@example.com')"#)
        let row = try await connection.query(#"SELECT "id", "active", "created_at" IS NOT NULL FROM "users""#)[0]
        #expect(row[0].integer == 1)
        #expect(row[1].integer == 1 || row[1].text == "t", "the default applies")
        await #expect(throws: DatabaseError.self, "the check holds") {
            _ = try await connection.query(#"INSERT INTO "users" ("email", "age") VALUES ('b@example.com', -1)"#)
        }
        await #expect(throws: DatabaseError.self, "the unique constraint holds") {
            _ = try await connection.query(#"INSERT INTO "users" ("email") VALUES ('a@example.com')"#)
        }
    }

    static let posts = Migration.swift("002_posts.swift") { db in
        try await db.schema.createTable("posts") { table in
            table.increments("id")
            table.string("title").notNullable().index()
        }
        try await db.execute(#"INSERT INTO "users" ("email") VALUES ('a@example.com')"#)
        try await db.execute(#"INSERT INTO "posts" ("title") VALUES ('hello'), ('world')"#)
    }

    /// The seed's "adding a foreign key", and its `down`.
    static let postsUserID = Migration.swift("003_add_user_id_to_posts.swift") { db in
        try await db.schema.table("posts") { table in
            table.integer("user_id").references("id").inTable("users").onDelete(.cascade)
        }
    } down: { db in
        try await db.schema.table("posts") { table in
            table.dropForeign("user_id")
            table.dropColumn("user_id")
        }
    }

    @Test("a foreign key added to a table with rows, then dropped with its column: rows and indexes stay", arguments: kinds)
    func foreignKeyUpAndDown(kind: DatabaseKind) async throws {
        let (migrator, catalog) = try await setUp(kind, [Self.users, Self.posts, Self.postsUserID])
        _ = try await migrator.up()
        _ = try await migrator.up()
        _ = try await migrator.up()
        #expect(try await catalog.foreignKeys("posts") == ["user_id -> users.id"])
        // Knex names the key on PostgreSQL and leaves it unnamed inside SQLite's create table.
        #expect(try await catalog.constraintNames("posts").contains("posts_user_id_foreign") == (kind == .postgres))
        #expect(try await catalog.count("posts") == 2)
        #expect(try await catalog.indexes("posts").contains("posts_title_index"))
        _ = try await catalog.connection.query(#"UPDATE "posts" SET "user_id" = 1"#)

        let report = try await migrator.rollback()
        #expect(report.migrations == ["003_add_user_id_to_posts.swift"])
        #expect(try await catalog.foreignKeys("posts").isEmpty)
        #expect(try await catalog.columns("posts").keys.sorted() == ["id", "title"])
        #expect(try await catalog.count("posts") == 2)
        #expect(try await catalog.indexes("posts").contains("posts_title_index"))
        let titles = try await catalog.connection.query(#"SELECT "title" FROM "posts" ORDER BY "id""#).map { $0[0].text }
        #expect(titles == ["hello", "world"])
    }

    @Test("a foreign key that existing rows break fails, names the file and the call, and changes nothing", arguments: kinds)
    func brokenForeignKey(kind: DatabaseKind) async throws {
        let orphans = Migration.swift("004_orphans.swift") { db in
            try await db.schema.createTable("comments") { table in
                table.increments("id")
                table.integer("post_id")
            }
            try await db.execute(#"INSERT INTO "comments" ("post_id") VALUES (99)"#)
        }
        let key = Migration.swift("005_comment_post.swift") { db in
            try await db.schema.table("comments") { table in
                table.foreign("post_id").references("posts.id")
            }
        }
        let (migrator, catalog) = try await setUp(kind, [Self.users, Self.posts, orphans, key])
        _ = try await migrator.up()
        _ = try await migrator.up()
        _ = try await migrator.up()
        let error = try await #require(throws: GodwitError.self) { try await migrator.latest() }
        #expect(error.code == .migrationFailed)
        #expect(error.summary == "migration 005_comment_post.swift failed")
        let text = error.description
        if kind == .postgres {
            #expect(text.contains("statement sent from GodwitSchemaTests/SchemaBuilderTests.swift:"))
            #expect(text.contains(#"alter table "comments" add constraint "comments_post_id_foreign" foreign key ("post_id") references "posts" ("id")"#))
            #expect(error.databaseError?.sqlState == "23503")
        } else {
            #expect(text.contains("after rebuilding table comments, 1 row break its foreign keys"))
        }
        #expect(try await catalog.foreignKeys("comments").isEmpty)
        #expect(try await catalog.count("comments") == 1)
        #expect(try await migrator.status().pending.map(\.name) == ["005_comment_post.swift"])
    }

    @Test("column changes SQLite's ALTER TABLE cannot make rebuild the table, keeping rows, indexes, triggers and referencing rows")
    func sqliteRebuild() async throws {
        let setup = Migration.swift("001_setup.swift") { db in
            try await db.execute("""
                CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT NOT NULL, note TEXT, score TEXT, CHECK (length(email) > 3));
                CREATE UNIQUE INDEX accounts_email ON accounts (email);
                CREATE INDEX accounts_note ON accounts (note);
                CREATE TABLE audit (account_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE, what TEXT);
                CREATE TRIGGER accounts_audit AFTER UPDATE ON accounts BEGIN INSERT INTO audit VALUES (new.id, 'updated'); END;
                INSERT INTO accounts VALUES (1, 'ann@example.com', 'x', '12'), (2, 'bob@example.com', NULL, '7');
                INSERT INTO audit VALUES (1, 'created'), (2, 'created');
                """)
        }
        let change = Migration.swift("002_change.swift") { db in
            try await db.schema.table("accounts") { table in
                table.dropColumn("note")
                table.dropNullable("email")
                table.setNullable("email")
                table.integer("score").alter()
                table.string("plan").notNullable().defaultTo("free")
            }
        }
        let (migrator, catalog) = try await setUp(.sqlite, [setup, change])
        _ = try await migrator.latest()
        let columns = try await catalog.columns("accounts")
        #expect(columns.keys.sorted() == ["email", "id", "plan", "score"])
        #expect(columns["email"]?.nullable == true)
        #expect(columns["score"]?.type == "integer")
        let rows = try await catalog.connection.query("SELECT id, email, score, typeof(score), plan FROM accounts ORDER BY id")
        #expect(rows == [
            [.integer(1), .text("ann@example.com"), .integer(12), .text("integer"), .text("free")],
            [.integer(2), .text("bob@example.com"), .integer(7), .text("integer"), .text("free")],
        ])
        #expect(try await catalog.indexes("accounts") == ["accounts_email"], "the index on the dropped column goes with it")
        #expect(try await catalog.count("audit") == 2, "rows referencing the table survive the rebuild")
        _ = try await catalog.connection.query("UPDATE accounts SET score = 1 WHERE id = 1")
        #expect(try await catalog.count("audit") == 3, "the trigger was created again")
        await #expect(throws: DatabaseError.self, "the table's check constraint is kept") {
            _ = try await catalog.connection.query("INSERT INTO accounts (id, email) VALUES (3, 'x')")
        }
        #expect(try await catalog.connection.query("PRAGMA foreign_key_check").isEmpty)
    }

    @Test("with SQLite's foreign keys on, a rebuild inside the batch's transaction is refused with the reason; outside one it works")
    func sqliteRebuildWithForeignKeysOn() async throws {
        let setup = Migration.swift("001_setup.swift") { db in
            try await db.execute("""
                CREATE TABLE parents (id INTEGER PRIMARY KEY, name TEXT, extra TEXT);
                CREATE TABLE children (parent_id INTEGER REFERENCES parents (id) ON DELETE CASCADE);
                INSERT INTO parents VALUES (1, 'p', 'e');
                INSERT INTO children VALUES (1);
                """)
        }
        let drop: @Sendable (MigrationDatabase) async throws -> Void = { db in
            try await db.schema.table("parents") { table in table.dropColumn("extra") }
        }
        let database = try await TestDatabase.make(.sqlite)
        let connection = try await database.connect()
        _ = try await connection.query("PRAGMA foreign_keys = ON")
        let catalog = Catalog(kind: .sqlite, connection: connection)
        let inTransaction = Migrator(connection: connection, migrations: [setup, .swift("002_drop.swift", up: drop)])
        _ = try await inTransaction.up()
        let error = try await #require(throws: GodwitError.self) { try await inTransaction.latest() }
        #expect(error.description.contains("PRAGMA foreign_keys is ON and a transaction is open"))
        #expect(try await catalog.columns("parents").keys.contains("extra"))

        let outside = Migrator(connection: connection, migrations: [setup, .swift("002_drop.swift", runsInTransaction: false, up: drop)])
        _ = try await outside.latest()
        #expect(try await !catalog.columns("parents").keys.contains("extra"))
        #expect(try await catalog.count("children") == 1, "ON DELETE CASCADE did not fire")
        #expect(try await connection.query("PRAGMA foreign_keys") == [[.integer(1)]], "foreign keys are on again")
    }

    @Test("types render per dialect and the catalog agrees", arguments: kinds)
    func types(kind: DatabaseKind) async throws {
        let everything = Migration.swift("001_types.swift") { db in
            try await db.schema.createTable("things") { table in
                table.bigIncrements("id")
                table.integer("i")
                table.bigInteger("big")
                table.smallint("small")
                table.text("body")
                table.float("f")
                table.double("d")
                table.decimal("price", precision: 10, scale: 2)
                table.date("day")
                table.time("at")
                table.timestamp("local", useTz: false)
                table.binary("bytes")
                table.enum("mood", ["happy", "sad"])
                table.json("j")
                table.jsonb("jb")
                table.uuid("u")
                table.specificType("tags", kind == .sqlite ? "text" : "text[]")
            }
        }
        let (migrator, catalog) = try await setUp(kind, [everything])
        _ = try await migrator.latest()
        let types = try await catalog.columns("things").mapValues(\.type)
        let expected: [String: String] = kind == .sqlite
            ? ["id": "integer", "i": "integer", "big": "bigint", "small": "integer", "body": "text", "f": "float",
               "d": "float", "price": "float", "day": "date", "at": "time", "local": "datetime", "bytes": "blob",
               "mood": "text", "j": "json", "jb": "json", "u": "char(36)", "tags": "text"]
            : ["id": "bigint", "i": "integer", "big": "bigint", "small": "smallint", "body": "text", "f": "real",
               "d": "double precision", "price": "numeric", "day": "date", "at": "time without time zone",
               "local": "timestamp without time zone", "bytes": "bytea", "mood": "text", "j": "json", "jb": "jsonb",
               "u": "uuid", "tags": "ARRAY"]
        #expect(types == expected)
        await #expect(throws: DatabaseError.self, "the enum's check holds") {
            _ = try await catalog.connection.query(#"INSERT INTO "things" ("mood") VALUES ('angry')"#)
        }
    }

    @Test("a transaction inside a migration is a savepoint: a caught failure undoes only its block", arguments: kinds)
    func savepoint(kind: DatabaseKind) async throws {
        struct Refused: Error {}
        let migration = Migration.swift("001_savepoint.swift") { db in
            try await db.schema.createTable("kept_before") { $0.increments() }
            do {
                try await db.transaction { trx in
                    try await trx.schema.createTable("undone") { $0.increments() }
                    throw Refused()
                }
            } catch is Refused {}
            try await db.transaction { trx in
                try await trx.schema.createTable("kept_after") { $0.increments() }
            }
        }
        let (migrator, catalog) = try await setUp(kind, [migration])
        _ = try await migrator.latest()
        #expect(try await catalog.tableExists("kept_before"))
        #expect(try await !catalog.tableExists("undone"))
        #expect(try await catalog.tableExists("kept_after"))
    }

    @Test("SQL and Swift migrations form one batch in one transaction: a Swift failure undoes the SQL before it", arguments: kinds)
    func mixedBatch(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let directory = try database.writeMigrations([
            "001_first.sql": sqlMigration(up: "CREATE TABLE first (id integer);", down: "DROP TABLE first;"),
            "003_third.sql": sqlMigration(up: "CREATE TABLE third (id integer);", down: "DROP TABLE third;"),
        ])
        let failing = Migration.swift("002_second.swift") { db in
            try await db.schema.createTable("second") { $0.increments() }
            try await db.execute(#"INSERT INTO "no_such_table" VALUES (1)"#)
        }
        let connection = try await database.connect()
        let catalog = Catalog(kind: kind, connection: connection)
        let migrations = try MigrationDirectory(path: directory).load() + [failing]
        let migrator = Migrator(connection: connection, migrations: migrations, source: directory)
        let error = try await #require(throws: GodwitError.self) { try await migrator.latest() }
        #expect(error.summary == "migration 002_second.swift failed")
        #expect(error.details.contains { $0.hasPrefix("file: 002_second.swift (up), statement sent from GodwitSchemaTests/SchemaBuilderTests.swift:") })
        #expect(error.details.contains(#"statement: INSERT INTO "no_such_table" VALUES (1)"#))
        #expect(error.details.contains { $0.contains("no_such_table") && $0.hasPrefix("database error:") })
        for table in ["first", "second", "third"] {
            #expect(try await !catalog.tableExists(table))
        }
        #expect(try await connection.query(#"SELECT count(*) FROM "knex_migrations""#)[0][0].integer == 0)

        let fixed = Migrator(
            connection: connection,
            migrations: try MigrationDirectory(path: directory).load() + [.swift("002_second.swift") { db in
                try await db.schema.createTable("second") { $0.increments() }
            }], source: directory)
        let report = try await fixed.latest()
        #expect(report.migrations == ["001_first.sql", "002_second.swift", "003_third.sql"])
        #expect(try await connection.query(#"SELECT DISTINCT "batch" FROM "knex_migrations""#) == [[.integer(1)]])
    }

    @Test("a Swift migration outside a transaction records each statement, and --resume skips those that completed", arguments: kinds)
    func outsideTransactionResume(kind: DatabaseKind) async throws {
        let migration = Migration.swift("001_stepwise.swift", runsInTransaction: false) { db in
            try await db.execute("CREATE TABLE one (id integer)")
            try await db.execute("INSERT INTO two VALUES (1)")
            try await db.execute("CREATE TABLE three (id integer)")
        }
        let (migrator, catalog) = try await setUp(kind, [migration])
        let failure = try await #require(throws: GodwitError.self) { try await migrator.latest() }
        #expect(failure.code == .migrationFailed)
        #expect(failure.details.contains { $0.contains("--resume") })
        #expect(try await catalog.tableExists("one"))

        let interrupted = try await #require(throws: GodwitError.self) { try await migrator.latest() }
        #expect(interrupted.code == .interruptedMigration)
        #expect(interrupted.details.contains("its first 1 statements (a transaction block counts as one) completed and are in effect"))

        _ = try await catalog.connection.query("CREATE TABLE two (id integer)")
        let report = try await migrator.latest(Migrator.RunOptions(interrupted: .resume))
        #expect(report.migrations == ["001_stepwise.swift"])
        #expect(try await catalog.count("two") == 1)
        #expect(try await catalog.tableExists("three"))
    }

    @Test("data migrations: bound values, rows read back, hasTable, hasColumn, renames", arguments: kinds)
    func dataMigration(kind: DatabaseKind) async throws {
        let migration = Migration.swift("001_data.swift") { db in
            try await db.schema.createTable("people") { table in
                table.increments("id")
                table.string("name")
            }
            let insert = "INSERT INTO \"people\" (\"name\") VALUES (\(db.dialect.placeholder(1)))"
            for name in ["Ada", "Grace", "O'Brien"] {
                try await db.execute(insert, [.text(name)])
            }
            let rows = try await db.query(#"SELECT "name" FROM "people" ORDER BY "id""#)
            guard rows.map({ $0[0].text }) == ["Ada", "Grace", "O'Brien"] else { throw DatabaseError(message: "the rows read back differ") }
            guard try await db.schema.hasTable("people"), try await !db.schema.hasTable("nobody"),
                try await db.schema.hasColumn("people", "name"), try await !db.schema.hasColumn("people", "age")
            else { throw DatabaseError(message: "hasTable/hasColumn answered wrongly") }
            try await db.schema.table("people") { $0.renameColumn("name", "full_name") }
            try await db.schema.renameTable("people", "persons")
        }
        let (migrator, catalog) = try await setUp(kind, [migration])
        _ = try await migrator.latest()
        let names = try await catalog.connection.query(#"SELECT "full_name" FROM "persons" ORDER BY "id""#).map { $0[0].text }
        #expect(names == ["Ada", "Grace", "O'Brien"])
    }

    @Test("latest --dry-run shows bound values and what each Swift step would send, after the SQL before it", arguments: kinds)
    func dryRun(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let directory = try database.writeMigrations([
            "001_base.sql": sqlMigration(up: "CREATE TABLE base (id integer);\nINSERT INTO base VALUES (1);", down: "DROP TABLE base;"),
        ])
        let addColumn = Migration.swift("002_add.swift") { db in
            try await db.schema.table("base") { $0.string("label").nullable() }
            try await db.execute(#"UPDATE "base" SET "label" = \#(db.dialect.placeholder(1))"#, [.text("x")])
        }
        let connection = try await database.connect()
        let migrator = Migrator(connection: connection, migrations: try MigrationDirectory(path: directory).load() + [addColumn], source: directory)
        let plan = try await migrator.latestDryRun()
        #expect(plan.steps.map(\.name) == ["001_base.sql", "002_add.swift"])
        #expect(plan.steps[0].statements.count == 2)
        let placeholder = kind == .sqlite ? "?1" : "$1"
        #expect(plan.steps[1].statements == [
            #"alter table "base" add column "label" varchar(255) null"#,
            "-- bound values: 1 = 'x'\nUPDATE \"base\" SET \"label\" = \(placeholder)",
        ])
        #expect(try await !Catalog(kind: kind, connection: connection).tableExists("base"))
    }
}

/// Table operations after creation, each database's spelling, then applied.
@Suite("Schema builder: table operations")
struct TableOperationTests {
    static let operations = Migration.swift("002_operations.swift") { db in
        try await db.schema.table("accounts") { table in
            table.renameColumn("nick", "handle")
            table.index(["handle", "email"])
            table.unique("email", "accounts_email_key")
            table.dropIndex("created_at")
            table.string("email", 320).notNullable().alter()
            table.dropColumns("legacy", "unused")
            table.check(#""balance" >= 0"#, "accounts_balance_check")
        }
        try await db.schema.createViewOrReplace("handles") { view in
            view.columns(["id", "handle"])
            view.as(#"select "id", "handle" from "accounts""#)
        }
        try await db.schema.createTableIfNotExists("accounts") { $0.increments() }
    }

    static let setup = Migration.swift("001_accounts.swift") { db in
        try await db.schema.createTable("accounts") { table in
            table.increments("id")
            table.string("email")
            table.string("nick")
            table.integer("balance").defaultTo(0)
            table.text("legacy")
            table.text("unused")
            table.timestamp("created_at").index()
        }
        try await db.execute(#"INSERT INTO "accounts" ("email", "nick", "legacy") VALUES ('a@example.com', 'ann', 'x')"#)
    }

    @Test("renames, indexes, unique keys, alter(), dropped columns, checks and views", arguments: [DatabaseKind.sqlite, .postgres])
    func operations(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let connection = try await database.connect()
        let migrator = Migrator(connection: connection, migrations: [Self.setup, Self.operations])
        let plan = try await migrator.latestRehearsal()
        let statements = plan.steps[1].statements
        if kind == .postgres {
            #expect(statements == [
                // Knex's order: the columns changed first, then the table's commands as called.
                #"alter table "accounts" alter column "email" drop default"#,
                #"alter table "accounts" alter column "email" drop not null"#,
                #"alter table "accounts" alter column "email" type varchar(320) using ("email"::varchar(320))"#,
                #"alter table "accounts" alter column "email" set not null"#,
                #"alter table "accounts" rename "nick" to "handle""#,
                #"create index "accounts_handle_email_index" on "accounts" ("handle", "email")"#,
                #"alter table "accounts" add constraint "accounts_email_key" unique ("email")"#,
                #"drop index "accounts_created_at_index""#,
                #"alter table "accounts" drop column "legacy", drop column "unused""#,
                #"alter table "accounts" add constraint "accounts_balance_check" check ("balance" >= 0)"#,
                #"create or replace view "handles" ("id", "handle") as select "id", "handle" from "accounts""#,
                #"create table if not exists "accounts" ("id" serial primary key)"#,
            ])
        } else {
            #expect(Array(statements.prefix(4)) == [
                #"alter table "accounts" rename "nick" to "handle""#,
                #"create index "accounts_handle_email_index" on "accounts" ("handle", "email")"#,
                #"create unique index "accounts_email_key" on "accounts" ("email")"#,
                #"drop index "accounts_created_at_index""#,
            ])
            #expect(statements.contains(
                #"CREATE TABLE "_godwit_rebuild_accounts" ("id" integer not null primary key autoincrement, "email" varchar(320) not null, "handle" varchar(255), "balance" integer default 0, "created_at" datetime, constraint "accounts_balance_check" check ("balance" >= 0))"#))
            #expect(statements.contains(#"INSERT INTO "_godwit_rebuild_accounts" ("id", "email", "handle", "balance", "created_at") SELECT "id", "email", "handle", "balance", "created_at" FROM "accounts""#))
        }
        _ = try await migrator.latest()
        let catalog = Catalog(kind: kind, connection: connection)
        #expect(try await catalog.columns("accounts").keys.sorted() == ["balance", "created_at", "email", "handle", "id"])
        #expect(try await catalog.columns("accounts")["email"]?.nullable == false)
        let indexes = try await catalog.indexes("accounts")
        #expect(indexes.isSuperset(of: ["accounts_handle_email_index", "accounts_email_key"]))
        #expect(!indexes.contains("accounts_created_at_index"))
        #expect(try await connection.query(#"SELECT "handle" FROM "handles""#) == [[.text("ann")]])
        await #expect(throws: DatabaseError.self, "the check holds") {
            _ = try await connection.query(#"UPDATE "accounts" SET "balance" = -1"#)
        }
    }

    @Test("withSchema and createSchema work in a PostgreSQL schema; SQLite refuses createSchema with the reason")
    func schemas() async throws {
        let migration = Migration.swift("001_schema.swift") { db in
            try await db.schema.createSchemaIfNotExists("audit")
            try await db.schema.withSchema("audit").createTable("events") { table in
                table.increments("id")
                table.string("kind").index()
            }
            guard try await db.schema.withSchema("audit").hasTable("events"), try await !db.schema.hasTable("events") else {
                throw DatabaseError(message: "hasTable does not look in the schema")
            }
        }
        let database = try await TestDatabase.make(.postgres)
        let connection = try await database.connect()
        _ = try await Migrator(connection: connection, migrations: [migration]).latest()
        let indexes = try await connection.query("SELECT indexname FROM pg_indexes WHERE schemaname = 'audit'").map { $0[0].text }
        #expect(Set(indexes) == ["events_pkey", "events_kind_index"])

        let sqlite = try await TestDatabase.make(.sqlite).connect()
        let error = try await #require(throws: GodwitError.self) {
            try await Migrator(connection: sqlite, migrations: [migration]).latest()
        }
        #expect(error.description.contains("createSchemaIfNotExists is PostgreSQL's"))
    }
}
