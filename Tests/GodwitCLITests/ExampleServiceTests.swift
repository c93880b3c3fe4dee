import Foundation
import GodwitCore
import GodwitTestSupport
import Testing

/// Examples/supabase-service: a user's package whose `migrate` executable holds the seed's migrations,
/// some in Swift, some in SQL. scripts/test.sh builds it and names its folder in GODWIT_EXAMPLE_DIR.
@Suite("Example service: the seed's migrations in a user's package")
struct ExampleServiceTests {
    static let migrationNames = [
        "20240101000001_initial_schema.swift",
        "20240101000002_add_user_email_index.sql",
        "20240101000003_create_audit_logs.sql",
        "20240101000004_add_phone_to_users.swift",
        "20240101000005_create_posts.sql",
        "20240101000006_add_user_id_to_posts.swift",
    ]

    func example() async throws -> (folder: URL, migrate: URL) {
        let folder = URL(fileURLWithPath: try TestDatabase.testSetting("GODWIT_EXAMPLE_DIR"))
        let migrate = folder.appendingPathComponent(".build/debug/migrate")
        guard FileManager.default.isExecutableFile(atPath: migrate.path) else {
            throw TestSetupError("\(migrate.path) is not built: scripts/test.sh builds it")
        }
        return (folder, migrate)
    }

    @Test("swift run migrate: latest, status, rollback --all, latest again", arguments: [DatabaseKind.sqlite, .postgres])
    func workflow(kind: DatabaseKind) async throws {
        let (folder, migrate) = try await example()
        let database = try await TestDatabase.make(kind)
        let environment = ["DATABASE_URL": database.url]
        func run(_ arguments: String...) async throws -> CommandResult {
            try await runGodwit(arguments, in: folder, environment: environment, executable: migrate)
        }

        let dryRun = try await run("latest", "--dry-run")
        #expect(dryRun.status == 0, "\(dryRun)")
        #expect(dryRun.stdout.contains("-- 20240101000001_initial_schema.swift (up)"))
        #expect(dryRun.stdout.contains("-- 20240101000002_add_user_email_index.sql (up)"))
        // Knex's spellings: an added constraint on PostgreSQL, a clause inside create table on SQLite.
        #expect(dryRun.stdout.contains(kind == .sqlite ? #"foreign key("user_id") references "users"("id")"# : #"foreign key ("user_id") references "users" ("id")"#))

        let latest = try await run("latest")
        #expect(latest.status == 0, "\(latest)")
        #expect(latest.stdoutLines == ["Using environment: development", "Batch 1 run: 6 migrations"] + Self.migrationNames)

        let connection = try await database.connect()
        let catalog = Catalog(kind: kind, connection: connection)
        #expect(try await connection.query(#"SELECT "name", "batch" FROM "knex_migrations" ORDER BY "id""#)
            == Self.migrationNames.map { [.text($0), .integer(1)] })
        #expect(try await catalog.foreignKeys("profiles") == ["user_id -> users.id"])
        #expect(try await catalog.foreignKeys("posts") == ["user_id -> users.id"])
        // Knex names the keys on PostgreSQL and leaves them unnamed on SQLite.
        #expect(try await catalog.constraintNames("profiles").contains("profiles_user_id_foreign") == (kind != .sqlite))
        #expect(try await catalog.constraintNames("posts").contains("posts_user_id_foreign") == (kind != .sqlite))
        #expect(try await catalog.indexes("users").contains("users_email_index"))
        #expect(try await catalog.columns("users")["phone"]?.nullable == true)

        let status = try await run("status")
        #expect(status.status == 0)
        #expect(status.stdout.contains("Pending: none"))

        let rehearsal = try await run("rollback", "--all", "--dry-run")
        #expect(rehearsal.status == 0, "\(rehearsal)")
        #expect(rehearsal.stdout.contains("-- 20240101000006_add_user_id_to_posts.swift (down)"))
        #expect(rehearsal.stdout.contains("-- 20240101000002_add_user_email_index.sql (down)"))
        #expect(try await catalog.foreignKeys("posts") == ["user_id -> users.id"], "the dry run changed nothing")

        let rollback = try await run("rollback", "--all")
        #expect(rollback.status == 0, "\(rollback)")
        #expect(rollback.stdoutLines.dropFirst(2) == ArraySlice(Self.migrationNames.reversed()))
        for table in ["users", "profiles", "audit_logs", "posts"] {
            #expect(try await !catalog.tableExists(table))
        }

        let again = try await run("latest")
        #expect(again.status == 0, "\(again)")
        #expect(try await catalog.foreignKeys("posts") == ["user_id -> users.id"])
    }

    @Test("an applied Swift migration that is edited is noticed through the checksum the plugin compiled in")
    func editedSwiftMigration() async throws {
        let (folder, migrate) = try await example()
        let database = try await TestDatabase.make(.sqlite)
        let connection = try await database.connect()
        let result = try await runGodwit(["latest"], in: folder, environment: ["DATABASE_URL": database.url], executable: migrate)
        #expect(result.status == 0)
        _ = try await connection.query(
            #"UPDATE "knex_migrations_godwit" SET "checksum" = 'edited' WHERE "name" = '20240101000004_add_phone_to_users.swift'"#)
        let edited = try await runGodwit(["latest"], in: folder, environment: ["DATABASE_URL": database.url], executable: migrate)
        #expect(edited.status == 1)
        #expect(edited.stderr.contains("Sources/ServiceMigrations/Migrations/20240101000004_add_phone_to_users.swift"))
    }
}

/// `make --swift` in a copy of the example, then a build: the plugin lists the new file with no list edited.
@Suite("make --swift and the plugin")
struct SwiftMakeTests {
    @Test("make --swift writes a migration that the next build picks up and latest records under its file name")
    func newSwiftMigrationIsPickedUp() async throws {
        let example = URL(fileURLWithPath: try TestDatabase.testSetting("GODWIT_EXAMPLE_DIR"))
        let repository = example.deletingLastPathComponent().deletingLastPathComponent()
        let copy = try TestFolder.make().appendingPathComponent("service")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        for item in ["Package.swift", "Package.resolved", "Sources", "migrations"]
        where FileManager.default.fileExists(atPath: example.appendingPathComponent(item).path) {
            try FileManager.default.copyItem(at: example.appendingPathComponent(item), to: copy.appendingPathComponent(item))
        }
        let manifest = copy.appendingPathComponent("Package.swift")
        try String(contentsOf: manifest, encoding: .utf8)
            .replacingOccurrences(of: #"path: "../..""#, with: "path: \"\(repository.path)\"")
            .write(to: manifest, atomically: true, encoding: .utf8)
        let migrate = example.appendingPathComponent(".build/debug/migrate")

        let made = try await runGodwit(["make", "add_bio", "--swift"], in: copy, executable: migrate)
        #expect(made.status == 0, "\(made)")
        let createdLine = try #require(made.stdoutLines.first { $0.hasPrefix("Created Migration: ") })
        let path = String(createdLine.dropFirst("Created Migration: ".count))
        #expect(path.hasPrefix("Sources/ServiceMigrations/Migrations/"))
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        #expect(fileName.wholeMatch(of: #/\d{14}_add_bio\.swift/#) != nil)
        let file = copy.appendingPathComponent(path)
        let template = try String(contentsOf: file, encoding: .utf8)
        #expect(template.contains("struct AddBio: SwiftMigration"))
        try template
            .replacingOccurrences(of: "    func up(_ db: MigrationDatabase) async throws {\n", with: """
                    func up(_ db: MigrationDatabase) async throws {
                        try await db.schema.table("users") { table in table.text("bio").nullable() }

                """)
            .write(to: file, atomically: true, encoding: .utf8)

        let build = try await runToEnd("/usr/bin/env", ["swift", "build", "--package-path", copy.path, "--product", "migrate"])
        #expect(build.status == 0, "\(build.output)")

        let database = try await TestDatabase.make(.sqlite)
        let latest = try await runGodwit(
            ["latest"], in: copy, environment: ["DATABASE_URL": database.url],
            executable: copy.appendingPathComponent(".build/debug/migrate"))
        #expect(latest.status == 0, "\(latest)")
        #expect(latest.stdoutLines.last == fileName)
        let catalog = Catalog(kind: .sqlite, connection: try await database.connect())
        #expect(try await catalog.columns("users")["bio"] != nil)
    }
}
