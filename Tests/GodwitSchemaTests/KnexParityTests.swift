import GodwitCore
import GodwitPostgres
import GodwitSchema
import GodwitSQLite
import GodwitTestSupport
import Testing

/// The builder call for call beside Knex 3.3: each call's statements against the SQL Knex writes for the
/// same call (written here by hand from Knex's behaviour), rendered offline, then applied to the real
/// databases with the catalog read back.
@Suite("Schema builder: Knex's SQL, call for call")
struct KnexParityTests {
    func rendered(
        _ kind: DatabaseKind, identifiers: IdentifierMapping = .asWritten, _ build: (SchemaBuilder) async throws -> Void
    ) async throws -> [String] {
        let dialect: any SQLDialect = kind == .postgres ? PostgresDialect() : SQLiteDialect()
        return try await SchemaBuilder.statements(for: dialect, identifiers: identifiers, build)
    }

    /// A fresh database with `migrations` applied, and its catalog.
    func applied(_ kind: DatabaseKind, _ migrations: [Migration]) async throws -> Catalog {
        let database = try await TestDatabase.make(kind)
        let connection = try await database.connect()
        _ = try await Migrator(connection: connection, migrations: migrations).latest()
        return Catalog(kind: kind, connection: connection)
    }

    // MARK: Dotted names

    @Test("a dotted name is a schema and a table in every table position, as Knex splits it")
    func dottedNames() async throws {
        let statements = try await rendered(.postgres) { schema in
            try await schema.createTable("s.events") { table in
                table.increments("id")
                table.string("email").unique()
            }
            try await schema.table("s.events") { table in table.dropUnique("email") }
            try await schema.renameTable("s.events", "happenings")
            try await schema.dropTable("s.happenings")
            try await schema.dropTableIfExists("s.happenings")
            try await schema.createTable("profiles") { table in
                table.uuid("user_id").references("id").inTable("auth.users")
                table.uuid("org_id").references("auth.orgs.id")
            }
            try await schema.withSchema("s").table("line_items") { table in
                table.integer("order_id").references("id").inTable("public.orders")
            }
        }
        #expect(statements == [
            #"create table "s"."events" ("id" serial primary key, "email" varchar(255))"#,
            #"alter table "s"."events" add constraint "s_events_email_unique" unique ("email")"#,
            #"alter table "s"."events" drop constraint "s_events_email_unique""#,
            #"alter table "s"."events" rename to "happenings""#,
            #"drop table "s"."happenings""#,
            #"drop table if exists "s"."happenings""#,
            #"create table "profiles" ("user_id" uuid, "org_id" uuid)"#,
            #"alter table "profiles" add constraint "profiles_user_id_foreign" foreign key ("user_id") references "auth"."users" ("id")"#,
            #"alter table "profiles" add constraint "profiles_org_id_foreign" foreign key ("org_id") references "auth"."orgs" ("id")"#,
            #"alter table "s"."line_items" add column "order_id" integer"#,
            #"alter table "s"."line_items" add constraint "line_items_order_id_foreign" foreign key ("order_id") references "public"."orders" ("id")"#,
        ])
    }

    @Test("withSchema leaves a foreign key's table as written (the search path decides), as Knex does")
    func withSchemaForeignKey() async throws {
        let statements = try await rendered(.postgres) { schema in
            try await schema.withSchema("s").createTable("items") { table in
                table.integer("order_id").references("orders.id")
            }
        }
        #expect(statements == [
            #"create table "s"."items" ("order_id" integer)"#,
            #"alter table "s"."items" add constraint "items_order_id_foreign" foreign key ("order_id") references "orders" ("id")"#,
        ])
    }

    @Test("a Supabase profile table references auth.users and the catalog holds the key across schemas")
    func supabaseAuthUsers() async throws {
        let auth = Migration.swift("001_auth.swift") { db in
            try await db.schema.createSchemaIfNotExists("auth")
            try await db.schema.createTable("auth.users") { table in table.uuid("id", primaryKey: true) }
        }
        let profiles = Migration.swift("002_profiles.swift") { db in
            try await db.schema.createTable("profiles") { table in
                table.uuid("id").primary().references("auth.users.id").onDelete(.cascade)
                table.string("display_name")
            }
            guard try await db.schema.hasTable("auth.users"), try await !db.schema.hasTable("auth.profiles") else {
                throw DatabaseError(message: "hasTable does not split the schema")
            }
        }
        let catalog = try await applied(.postgres, [auth, profiles])
        #expect(try await catalog.foreignKeys("profiles") == ["id -> auth.users.id"])
        #expect(try await catalog.constraintNames("profiles") == ["profiles_pkey", "profiles_id_foreign"])
        let rule = try await catalog.connection.query("SELECT confdeltype FROM pg_constraint WHERE conname = 'profiles_id_foreign'")
        #expect(rule == [[.text("c")]], "on delete cascade")
    }

    // MARK: Enums, comments

    @Test("a native enum under withSchema: the type and the column both in the schema, or in schemaName; existingType reuses it")
    func nativeEnums() async throws {
        let statements = try await rendered(.postgres) { schema in
            try await schema.withSchema("test").createTable("t") { table in
                table.enu("foo", ["a", "b"], native: "foo_type")
                table.enu("bar", ["x"], native: "bar_type", schemaName: "public")
                table.enu("again", [], native: "foo_type", existingType: true)
            }
        }
        #expect(statements == [
            #"create type "test"."foo_type" as enum ('a', 'b')"#,
            #"create type "public"."bar_type" as enum ('x')"#,
            #"create table "test"."t" ("foo" "test"."foo_type", "bar" "public"."bar_type", "again" "test"."foo_type")"#,
        ])
        let migration = Migration.swift("001_enums.swift") { db in
            try await db.schema.createSchema("test")
            try await db.schema.withSchema("test").createTable("t") { table in
                table.enu("foo", ["a", "b"], native: "foo_type")
                table.enu("again", [], native: "foo_type", existingType: true)
            }
            try await db.execute(#"INSERT INTO "test"."t" VALUES ('a', 'b')"#)
        }
        let catalog = try await applied(.postgres, [migration])
        let types = try await catalog.connection.query(
            "SELECT udt_schema || '.' || udt_name FROM information_schema.columns WHERE table_schema = 'test' AND table_name = 't' ORDER BY ordinal_position")
        #expect(types == [[.text("test.foo_type")], [.text("test.foo_type")]])
    }

    @Test("a comment holding a quote is stored as written, with Knex's quoting (a doubled '' is kept)", arguments: ["table's", "table''s"])
    func commentQuotes(text: String) async throws {
        let statements = try await rendered(.postgres) { schema in
            try await schema.table("t") { table in table.text("c").comment(text) }
        }
        #expect(statements == [#"alter table "t" add column "c" text"#, #"comment on column "t"."c" is 'table''s'"#])
        let migration = Migration.swift("001_comment.swift") { db in
            try await db.schema.createTable("t") { table in
                table.text("c").comment(text)
                table.comment("it's the table")
            }
        }
        let catalog = try await applied(.postgres, [migration])
        let stored = try await catalog.connection.query("SELECT col_description('t'::regclass, 1), obj_description('t'::regclass)")
        #expect(stored == [[.text("table's"), .text("it's the table")]])
    }

    // MARK: SQLite's constraints

    static let sqlitePosts = Migration.swift("001_posts.swift") { db in
        try await db.schema.createTable("users") { table in table.increments("id") }
        try await db.schema.createTable("posts") { table in
            table.increments("id")
            table.integer("user_id").references("users.id").onDelete(.cascade)
            table.check(#""id" > 0"#)
        }
        try await db.schema.createTable("pairs") { table in
            table.integer("a")
            table.integer("b")
            table.primary(["a", "b"])
        }
    }

    @Test("SQLite: create table writes foreign and primary keys unnamed, as Knex does, and the stored schema is Knex's")
    func sqliteUnnamedConstraints() async throws {
        let knexPosts = #"create table "posts" ("id" integer not null primary key autoincrement, "user_id" integer, foreign key("user_id") references "users"("id") on delete CASCADE, check ("id" > 0))"#
        let knexPairs = #"create table "pairs" ("a" integer, "b" integer, primary key ("a", "b"))"#
        let statements = try await rendered(.sqlite) { schema in
            try await schema.createTable("posts") { table in
                table.increments("id")
                table.integer("user_id").references("users.id").onDelete(.cascade)
                table.check(#""id" > 0"#)
            }
            try await schema.createTable("pairs") { table in
                table.integer("a")
                table.integer("b")
                table.primary(["a", "b"])
            }
            try await schema.createTable("named") { table in
                table.integer("a").primary("named_key")
                table.integer("b").references("id").inTable("users").withKeyName("named_b")
            }
        }
        #expect(statements == [
            knexPosts, knexPairs,
            #"create table "named" ("a" integer, "b" integer, constraint "named_b" foreign key("b") references "users"("id"), constraint "named_key" primary key ("a"))"#,
        ])
        let catalog = try await applied(.sqlite, [Self.sqlitePosts])
        let stored = try await catalog.connection.query("SELECT sql FROM sqlite_master WHERE name IN ('posts', 'pairs') ORDER BY name DESC")
        #expect(stored == [[.text(knexPosts.replacing("create table", with: "CREATE TABLE"))], [.text(knexPairs.replacing("create table", with: "CREATE TABLE"))]])
        #expect(try await catalog.constraintNames("posts").isEmpty)
        #expect(try await catalog.foreignKeys("posts") == ["user_id -> users.id"])
    }

    @Test("SQLite: the unnamed keys Knex leaves are found and dropped by their columns; the IfExists drops pass over what is gone")
    func sqliteDropUnnamed() async throws {
        let drop = Migration.swift("002_drop.swift") { db in
            try await db.schema.table("posts") { table in table.dropForeign("user_id") }
            try await db.schema.table("pairs") { table in table.dropPrimary() }
            try await db.schema.table("posts") { table in
                table.dropForeignIfExists("user_id")
                table.dropUniqueIfExists("user_id")
                table.dropIndexIfExists("user_id")
            }
            try await db.schema.table("pairs") { table in table.dropPrimaryIfExists() }
        }
        let catalog = try await applied(.sqlite, [Self.sqlitePosts, drop])
        #expect(try await catalog.foreignKeys("posts").isEmpty)
        let stored = try await catalog.connection.query("SELECT sql FROM sqlite_master WHERE name = 'pairs'")
        #expect(stored == [[.text(#"CREATE TABLE "pairs" ("a" integer, "b" integer)"#)]])
    }

    // MARK: alter()

    @Test("alter(alterNullable: false, alterType: false) writes only what Knex writes")
    func alterOptions() async throws {
        let statements = try await rendered(.postgres) { schema in
            try await schema.table("t") { table in
                table.string("a").defaultTo("x").alter(alterNullable: false, alterType: false)
                table.string("b", 100).alter(alterNullable: false)
                table.integer("n").checkPositive().checkIn([1, 2, 3], "n_small").alter(alterNullable: false, alterType: false)
            }
            try await schema.table("t") { table in table.string("s").checkIn(["x", "y"]) }
        }
        #expect(statements == [
            #"alter table "t" alter column "a" drop default"#,
            #"alter table "t" alter column "a" set default 'x'"#,
            #"alter table "t" alter column "b" drop default"#,
            #"alter table "t" alter column "b" type varchar(100) using ("b"::varchar(100))"#,
            #"alter table "t" alter column "n" drop default"#,
            #"alter table "t" add constraint "t_n_1" check ("n" > 0)"#,
            #"alter table "t" add constraint "n_small" check ("n" in (1,2,3))"#,
            #"alter table "t" add column "s" varchar(255) check ("s" in ('x','y'))"#,
        ])
    }

    @Test("alter() of a column to an enum: Knex's check inside the type, which PostgreSQL refuses, becomes a check of its own")
    func alterToEnum() async throws {
        let change: @Sendable (SchemaBuilder) async throws -> Void = { schema in
            try await schema.table("t") { table in table.enu("mood", ["happy", "sad"]).notNullable().alter() }
        }
        #expect(try await rendered(.postgres, change) == [
            #"alter table "t" alter column "mood" drop default"#,
            #"alter table "t" alter column "mood" drop not null"#,
            #"alter table "t" alter column "mood" type text using ("mood"::text::text)"#,
            #"alter table "t" alter column "mood" set not null"#,
            #"alter table "t" add check ("mood" in ('happy', 'sad'))"#,
        ])
        let migrations = [
            Migration.swift("001_t.swift") { db in
                try await db.schema.createTable("t") { table in table.string("mood") }
                try await db.execute(#"INSERT INTO "t" VALUES ('sad')"#)
            },
            Migration.swift("002_enum.swift") { db in try await change(db.schema) },
        ]
        for kind in [DatabaseKind.sqlite, .postgres] {
            let catalog = try await applied(kind, migrations)
            #expect(try await catalog.columns("t")["mood"]?.nullable == false)
            await #expect(throws: DatabaseError.self, "the enum's check holds on \(kind)") {
                _ = try await catalog.connection.query(#"INSERT INTO "t" VALUES ('angry')"#)
            }
        }
    }

    @Test("alter(alterNullable: false) keeps a column's NOT NULL", arguments: [DatabaseKind.sqlite, .postgres])
    func alterKeepsNotNull(kind: DatabaseKind) async throws {
        let setup = Migration.swift("001_t.swift") { db in
            try await db.schema.createTable("t") { table in
                table.increments()
                table.string("name").notNullable()
                table.string("kept", 10).notNullable()
                table.integer("n")
            }
        }
        let change = Migration.swift("002_alter.swift") { db in
            try await db.schema.table("t") { table in
                table.string("name", 500).defaultTo("anon").alter(alterNullable: false)
                table.text("kept").alter(alterNullable: false, alterType: false)
                table.integer("n").checkPositive().alter()
            }
        }
        let catalog = try await applied(kind, [setup, change])
        let columns = try await catalog.columns("t")
        #expect(columns["name"]?.nullable == false)
        #expect(columns["kept"]?.nullable == false)
        #expect(columns["kept"]?.type == (kind == .sqlite ? "varchar(10)" : "character varying"), "alterType: false kept the type")
        _ = try await catalog.connection.query(#"INSERT INTO "t" ("kept") VALUES ('k')"#)
        #expect(try await catalog.connection.query(#"SELECT "name" FROM "t""#) == [[.text("anon")]])
        await #expect(throws: DatabaseError.self, "the changed column's check holds") {
            _ = try await catalog.connection.query(#"UPDATE "t" SET "n" = -1"#)
        }
    }

    // MARK: The missing API

    @Test("increments without a primary key, and beside primary(…), as Knex writes them")
    func incrementsWithoutKey() async throws {
        let postgres = try await rendered(.postgres) { schema in
            try await schema.createTable("a") { table in table.increments("id", primaryKey: false) }
            try await schema.createTable("b") { table in
                table.bigIncrements("id")
                table.integer("tenant")
                table.primary(["tenant", "id"])
            }
        }
        #expect(postgres == [
            #"create table "a" ("id" serial)"#,
            #"create table "b" ("id" bigserial, "tenant" integer, constraint "b_pkey" primary key ("tenant", "id"))"#,
        ])
        let migration = Migration.swift("001_keys.swift") { db in
            try await db.schema.createTable("a") { table in table.increments("id", primaryKey: false) }
            try await db.schema.createTable("b") { table in
                table.bigIncrements("id")
                table.integer("tenant")
                table.primary(["tenant", "id"])
            }
            try await db.execute(#"INSERT INTO "b" ("tenant") VALUES (1), (1)"#)
        }
        let catalog = try await applied(.postgres, [migration])
        #expect(try await catalog.constraintNames("a").isEmpty)

        // SQLite allows autoincrement only on the integer primary key: as Knex, increments stays the key and
        // primary(…) becomes a unique key; without a key, Knex's `integer not null autoincrement` is refused,
        // so Godwit leaves the keyword out.
        let sqlite = try await rendered(.sqlite) { schema in
            try await schema.createTable("a") { table in table.increments("id", primaryKey: false) }
            try await schema.createTable("b") { table in
                table.increments("id")
                table.integer("tenant")
                table.primary(["tenant", "id"])
            }
        }
        #expect(sqlite == [
            #"create table "a" ("id" integer not null)"#,
            #"create table "b" ("id" integer not null primary key autoincrement, "tenant" integer, unique ("tenant", "id"))"#,
        ])
        let sqliteMigration = Migration.swift("001_keys.swift") { db in
            try await db.schema.createTable("b") { table in
                table.increments("id")
                table.integer("tenant")
                table.primary(["tenant", "id"])
            }
            try await db.execute(#"INSERT INTO "b" ("tenant") VALUES (1), (1)"#)
        }
        let sqliteCatalog = try await applied(.sqlite, [sqliteMigration])
        #expect(try await sqliteCatalog.connection.query(#"SELECT "id" FROM "b" ORDER BY "id""#) == [[.integer(1)], [.integer(2)]])
        #expect(try await catalog.connection.query(#"SELECT "id" FROM "b" ORDER BY "id""#) == [[.integer(1)], [.integer(2)]])
    }

    @Test("drop…IfExists on PostgreSQL: Knex's statements, and a table without them passes")
    func dropIfExists() async throws {
        let statements = try await rendered(.postgres) { schema in
            try await schema.table("t") { table in
                table.dropForeignIfExists("user_id")
                table.dropUniqueIfExists("email")
                table.dropPrimaryIfExists()
                table.dropIndexIfExists("email")
            }
        }
        #expect(statements == [
            #"alter table "t" drop constraint if exists "t_user_id_foreign""#,
            #"alter table "t" drop constraint if exists "t_email_unique""#,
            #"alter table "t" drop constraint if exists "t_pkey""#,
            #"drop index if exists "t_email_index""#,
        ])
        let migration = Migration.swift("001_t.swift") { db in
            try await db.schema.createTable("t") { table in table.integer("user_id") }
            try await db.schema.table("t") { table in
                table.dropForeignIfExists("user_id")
                table.dropUniqueIfExists("email")
                table.dropPrimaryIfExists()
                table.dropIndexIfExists("email")
            }
        }
        let catalog = try await applied(.postgres, [migration])
        #expect(try await catalog.tableExists("t"))
    }

    @Test("unique as a constraint or an index, index types, access methods and deferrable keys, as Knex writes them")
    func uniqueIndexesAndDeferrable() async throws {
        let statements = try await rendered(.postgres) { schema in
            try await schema.createTable("t") { table in
                table.increments("id", primaryKey: false)
                table.primary(["id"], deferrable: .deferred)
                table.string("email").unique(useConstraint: false)
                table.string("code").index(indexType: "unique")
                table.specificType("tags", "text[]").index(storageEngineIndexType: "gin")
                table.string("slug")
                table.unique(["slug"], deferrable: .immediate)
                table.unique(["code", "slug"], "t_live_unique", predicate: #""code" is not null"#)
                table.integer("user_id").references("users.id").deferrable(.deferred).onUpdate(.cascade).onDelete(.setNull)
            }
        }
        #expect(statements == [
            #"create table "t" ("id" serial, "email" varchar(255), "code" varchar(255), "tags" text[], "slug" varchar(255), "user_id" integer, constraint "t_pkey" primary key ("id") deferrable initially deferred)"#,
            #"create unique index "t_email_unique" on "t" ("email")"#,
            #"create unique index "t_code_index" on "t" ("code")"#,
            #"create index "t_tags_index" on "t" using gin ("tags")"#,
            #"alter table "t" add constraint "t_slug_unique" unique ("slug") deferrable initially immediate"#,
            #"create unique index "t_live_unique" on "t" ("code", "slug") where "code" is not null"#,
            #"alter table "t" add constraint "t_user_id_foreign" foreign key ("user_id") references "users" ("id") deferrable initially deferred on update CASCADE on delete SET NULL"#,
        ])
        await #expect(throws: SchemaError.self, "an index cannot be deferred") {
            _ = try await rendered(.postgres) { schema in
                try await schema.table("t") { table in table.unique(["a"], deferrable: .deferred, useConstraint: false) }
            }
        }

        let migration = Migration.swift("001_t.swift") { db in
            try await db.schema.createTable("users") { table in table.increments() }
            try await db.schema.createTable("t") { table in
                table.increments("id", primaryKey: false)
                table.primary(["id"], deferrable: .deferred)
                table.string("email").unique(useConstraint: false)
                table.string("slug")
                table.unique(["slug"], deferrable: .immediate)
                table.integer("user_id").references("users.id").deferrable(.deferred)
            }
        }
        let catalog = try await applied(.postgres, [migration])
        let constraints = try await catalog.connection.query(
            "SELECT conname, condeferrable, condeferred FROM pg_constraint WHERE conrelid = 't'::regclass ORDER BY conname")
        #expect(constraints == [
            [.text("t_pkey"), .text("t"), .text("t")],
            [.text("t_slug_unique"), .text("t"), .text("f")],
            [.text("t_user_id_foreign"), .text("t"), .text("t")],
        ])
        #expect(try await catalog.indexes("t").contains("t_email_unique"), "a unique index, not a constraint")
    }

    @Test("createTableLike, inherits, extensions, views: Knex's statements on PostgreSQL")
    func postgresStatements() async throws {
        let statements = try await rendered(.postgres) { schema in
            try await schema.createTableLike("archive", like: "orders")
            try await schema.createTableLike("copy", like: "orders") { table in table.text("note") }
            try await schema.createTable("child") { table in
                table.text("extra")
                table.inherits("parent")
            }
            try await schema.createExtension("pgcrypto")
            try await schema.dropExtension("pgcrypto")
            try await schema.createView("v") { view in
                view.as(#"select * from "orders" where "total" > 0"#)
                view.localCheckOption()
            }
            try await schema.renameView("v", "w")
            try await schema.alterView("w") { view in
                view.column("total").rename("amount")
                view.column("note").defaultTo("none")
            }
            try await schema.refreshMaterializedView("mv", concurrently: true)
            try await schema.createTable("grades") { table in
                table.string("grade", 1).checkBetween(["a"..."f"])
                table.dateTime("seen", useTz: false)
                table.timestamp("local", withoutTz: true)
                table.varchar("code", 8).notNull().default("x")
                table.mediumint("m")
                table.integer("order_id").references("id").on("orders")
            }
        }
        #expect(statements == [
            #"create table "archive" (like "orders" including all)"#,
            #"create table "copy" (like "orders" including all, "note" text)"#,
            #"create table "child" ("extra" text) inherits ("parent")"#,
            #"create extension "pgcrypto""#,
            #"drop extension "pgcrypto""#,
            #"create view "v" as select * from "orders" where "total" > 0 with local check option"#,
            #"alter view "v" rename to "w""#,
            #"alter view "w" rename "total" to "amount""#,
            #"alter view "w" alter "note" set default 'none'"#,
            #"refresh materialized view concurrently "mv""#,
            #"create table "grades" ("grade" varchar(1) check ("grade" between 'a' and 'f'), "seen" timestamp, "local" timestamp, "code" varchar(8) not null default 'x', "m" integer, "order_id" integer)"#,
            #"alter table "grades" add constraint "grades_order_id_foreign" foreign key ("order_id") references "orders" ("id")"#,
        ])
        let migration = Migration.swift("001_all.swift") { db in
            try await db.schema.createTable("parent") { table in table.increments() }
            try await db.schema.createTable("orders") { table in
                table.increments()
                table.integer("total").defaultTo(0)
                table.text("note")
            }
            try await db.schema.createTableLike("archive", like: "orders")
            try await db.schema.createTable("child") { table in
                table.text("extra")
                table.inherits("parent")
            }
            try await db.schema.createView("v") { view in
                view.as(#"select * from "orders" where "total" > 0"#)
                view.localCheckOption()
            }
            try await db.schema.renameView("v", "w")
            try await db.schema.alterView("w") { view in view.column("total").rename("amount") }
            try await db.schema.createMaterializedView("mv") { view in view.as(#"select "id" from "orders""#) }
            try await db.schema.raw(#"create unique index "mv_id" on "mv" ("id")"#)
            try await db.schema.refreshMaterializedView("mv", concurrently: true)
        }
        let catalog = try await applied(.postgres, [migration])
        #expect(Set(try await catalog.columns("archive").keys) == ["id", "total", "note"])
        #expect(Set(try await catalog.columns("child").keys) == ["id", "extra"], "the parent's columns are inherited")
        #expect(Set(try await catalog.columns("w").keys) == ["id", "amount", "note"])
        await #expect(throws: DatabaseError.self, "the check option holds") {
            _ = try await catalog.connection.query(#"INSERT INTO "w" ("amount") VALUES (-1)"#)
        }
    }

    @Test("SQLite: keys, unique indexes, enums and the IfExists drops as Knex writes them, and the catalog agrees")
    func sqliteKeysAndIndexes() async throws {
        let create = #"create table "main"."t" ("id" integer not null primary key autoincrement, "email" varchar(255), "code" varchar(255), "user_id" integer, "mood" text check ("mood" in ('a', 'b')) not null, "at" datetime, foreign key("user_id") references "users"("id") on delete CASCADE on update RESTRICT deferrable initially deferred)"#
        let build: @Sendable (SchemaBuilder) async throws -> Void = { schema in
            try await schema.createTable("main.t") { table in
                table.increments()
                table.string("email").unique(useConstraint: false)
                table.string("code").index(indexType: "unique")
                table.integer("user_id").references("users.id").onDelete(.cascade).onUpdate(.restrict).deferrable(.deferred)
                table.enu("mood", ["a", "b"]).notNullable()
                table.timestamp("at", withoutTz: true)
            }
            try await schema.table("main.t") { table in
                table.dropIndexIfExists("email")
                table.dropUniqueIfExists("nothing")
            }
        }
        #expect(try await rendered(.sqlite, build) == [
            create,
            // SQLite names the schema on the index, never on its table (Knex writes "main"."t", which SQLite refuses).
            #"create unique index "main"."main_t_email_unique" on "t" ("email")"#,
            #"create unique index "main"."main_t_code_index" on "t" ("code")"#,
            #"drop index if exists "main"."main_t_email_index""#,
            #"drop index if exists "main"."main_t_nothing_unique""#,
        ])
        let migration = Migration.swift("001_t.swift") { db in
            try await db.schema.createTable("users") { table in table.increments() }
            try await build(db.schema)
        }
        let catalog = try await applied(.sqlite, [migration])
        let keys = try await catalog.connection.query(#"SELECT "table", "from", "to", "on_update", "on_delete" FROM pragma_foreign_key_list('t')"#)
        #expect(keys == [[.text("users"), .text("user_id"), .text("id"), .text("RESTRICT"), .text("CASCADE")]])
        #expect(try await catalog.indexes("t") == ["main_t_email_unique", "main_t_code_index"], "Knex names them after the name as written")
        let unique = try await catalog.connection.query(#"SELECT "name" FROM pragma_index_list('t') WHERE "unique" = 1 ORDER BY "name""#)
        #expect(unique == [[.text("main_t_code_index")], [.text("main_t_email_unique")]])
        await #expect(throws: DatabaseError.self, "the enum's check holds") {
            _ = try await catalog.connection.query(#"INSERT INTO "t" ("mood") VALUES ('c')"#)
        }
    }

    @Test("SQLite: createTableLike, binary uuids, string ranges; what SQLite lacks is refused with the reason")
    func sqliteStatements() async throws {
        let statements = try await rendered(.sqlite) { schema in
            try await schema.createTableLike("archive", like: "orders")
            try await schema.createTable("things") { table in
                table.uuid("id", useBinaryUuid: true, primaryKey: true)
                table.string("grade", 1).checkBetween(["a"..."f"])
            }
        }
        #expect(statements == [
            #"create table "archive" as select * from "orders" where 0=1"#,
            #"create table "things" ("id" binary(16) primary key, "grade" varchar(1) check ("grade" between 'a' and 'f'))"#,
        ])
        let refusals: [(SchemaBuilder) async throws -> Void] = [
            { schema in try await schema.renameView("v", "w") },
            { schema in try await schema.createTable("c") { table in table.inherits("p") } },
            { schema in try await schema.createView("v") { view in view.as("select 1"); view.checkOption() } },
        ]
        for refused in refusals {
            let error = try await #require(throws: SchemaError.self) { _ = try await rendered(.sqlite, refused) }
            #expect(error.message.contains("PostgreSQL's"))
        }
        let migration = Migration.swift("001_things.swift") { db in
            try await db.schema.createTable("orders") { table in
                table.increments()
                table.string("grade", 1).checkBetween(["a"..."f"])
            }
            try await db.schema.createTableLike("archive", like: "orders")
        }
        let catalog = try await applied(.sqlite, [migration])
        #expect(Set(try await catalog.columns("archive").keys) == ["id", "grade"])
        await #expect(throws: DatabaseError.self, "the text range holds") {
            _ = try await catalog.connection.query(#"INSERT INTO "orders" ("grade") VALUES ('z')"#)
        }
    }

    @Test("an identifier hook maps camelCase to snake_case as Knex's wrapIdentifier does", arguments: [DatabaseKind.sqlite, .postgres])
    func identifierHook(kind: DatabaseKind) async throws {
        let statements = try await rendered(kind, identifiers: .snakeCase) { schema in
            try await schema.createTable("userProfiles") { table in
                table.string("displayName").index()
                table.string("HTMLTitle")
            }
        }
        #expect(statements == [
            #"create table "user_profiles" ("display_name" varchar(255), "html_title" varchar(255))"#,
            #"create index "userprofiles_displayname_index" on "user_profiles" ("display_name")"#,
        ])
        let migration = Migration.swift("001_profiles.swift") { db in
            let schema = db.schema.mappingIdentifiers(.snakeCase)
            try await schema.createTable("userProfiles") { table in
                table.increments()
                table.string("displayName").notNullable()
                table.integer("loginCount")
            }
            try await schema.table("userProfiles") { table in
                table.dropNullable("loginCount")
                table.renameColumn("displayName", "fullName")
            }
            guard try await schema.hasColumn("userProfiles", "fullName") else {
                throw DatabaseError(message: "hasColumn does not map the names")
            }
        }
        let catalog = try await applied(kind, [migration])
        let columns = try await catalog.columns("user_profiles")
        #expect(Set(columns.keys) == ["id", "full_name", "login_count"])
        #expect(columns["login_count"]?.nullable == false)
    }

    @Test("offline, what needs the database says so and names the call; SchemaBuilder.statements' example renders as its documentation says")
    func offlineLimits() async throws {
        let documented = try await SchemaBuilder.statements(for: PostgresDialect()) { schema in
            try await schema.createTable("users") { table in
                table.increments("id")
                table.string("email").notNullable().unique()
            }
        }
        #expect(documented == [
            #"create table "users" ("id" serial primary key, "email" varchar(255) not null)"#,
            #"alter table "users" add constraint "users_email_unique" unique ("email")"#,
        ])
        let rebuild = try await #require(throws: SchemaError.self) {
            _ = try await rendered(.sqlite) { schema in
                try await schema.table("posts") { table in table.dropForeign("user_id") }
            }
        }
        #expect(rebuild.message.contains("changing table posts on SQLite (drop a foreign key"))
        #expect(rebuild.message.contains("needs the database"))
        let has = try await #require(throws: SchemaError.self) {
            _ = try await rendered(.postgres) { schema in _ = try await schema.hasTable("users") }
        }
        #expect(has.message.hasPrefix(#"hasTable("users") needs the database"#))
        let native = try await rendered(.sqlite) { schema in
            try await schema.table("posts") { table in
                table.string("title").nullable()
                table.index("title")
                table.renameColumn("title", "headline")
            }
        }
        #expect(native == [
            #"alter table "posts" add column "title" varchar(255) null"#,
            #"create index "posts_title_index" on "posts" ("title")"#,
            #"alter table "posts" rename "title" to "headline""#,
        ])
    }
}
