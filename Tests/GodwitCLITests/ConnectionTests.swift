import Foundation
import GodwitCore
import GodwitPostgres
import GodwitTestSupport
import Testing

/// Supabase-style connections against the real servers `scripts/test.sh` starts: PostgreSQL with TLS from a CA
/// of its own, a role allowed in over TLS only, PgBouncer in transaction mode with TLS, and a second PgBouncer
/// in session mode without TLS.
@Suite("connections: TLS, poolers, failures and secrets")
struct ConnectionTests {
    static let users = sqlMigration(up: "CREATE TABLE users (id integer primary key, email varchar(255));", down: "DROP TABLE users;")

    /// Where a connection goes.
    enum Server: String, CustomStringConvertible, CaseIterable {
        case direct, pgbouncer, plainPooler

        var description: String { rawValue }

        var port: String {
            get throws {
                switch self {
                case .direct: try TestDatabase.testSetting("GODWIT_PG_PORT")
                case .pgbouncer: try TestDatabase.testSetting("GODWIT_PGBOUNCER_PORT")
                case .plainPooler: String(try #require(URLComponents(string: try TestDatabase.testSetting("GODWIT_TEST_PLAIN_POOLER_URL"))?.port))
                }
            }
        }
    }

    static var adminPassword: String { get throws { try TestDatabase.testSetting("GODWIT_PG_PASSWORD") } }
    static var tlsRole: String { get throws { try TestDatabase.testSetting("GODWIT_TLS_ROLE") } }
    static var tlsRolePassword: String { get throws { try TestDatabase.testSetting("GODWIT_TLS_ROLE_PASSWORD") } }
    static var certificateAuthority: String { get throws { try TestDatabase.testSetting("GODWIT_PG_CA") } }

    /// A URL to `server` as `postgres`, with `query` (no `?`).
    static func url(_ server: Server, host: String = "127.0.0.1", database: String = "postgres", query: String = "") async throws -> String {
        "postgres://postgres:\(try adminPassword)@\(host):\(try server.port)/\(database)\(query.isEmpty ? "" : "?" + query)"
    }

    /// Runs `godwit` in a new folder with an empty migrations folder; HOME is empty, so libpq finds no
    /// ~/.postgresql/root.crt of the machine's.
    func run(_ arguments: [String], environment: [String: String] = [:], in folder: URL? = nil) async throws -> CommandResult {
        let folder = try folder ?? TestFolder.make()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("migrations"), withIntermediateDirectories: true)
        return try await runGodwit(arguments, in: folder, environment: ["HOME": folder.path].merging(environment) { $1 })
    }

    /// No form of `secret` (as is, percent-encoded) in anything the run printed.
    func expectNoSecret(_ secret: String, in result: CommandResult, sourceLocation: SourceLocation = #_sourceLocation) {
        let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? secret
        for form in [secret, encoded] {
            #expect(!result.stdout.contains(form) && !result.stderr.contains(form), "the password shows in:\n\(result)", sourceLocation: sourceLocation)
        }
    }

    /// The value of `status`'s line that starts with `label`.
    func statusLine(_ label: String, of result: CommandResult) -> String? {
        result.stdoutLines.first { $0.hasPrefix(label + ": ") }.map { String($0.dropFirst(label.count + 2)) }
    }

    // MARK: TLS

    @Test("sslmode × server: what is used, as status shows it, or the failure and what to do", arguments: [
        (Server.direct, "sslmode=disable", "none, sslmode=disable (not encrypted)"),
        (.direct, "", "TLSv1.3, sslmode=prefer (encrypted; the server's certificate is not verified)"),
        (.direct, "sslmode=require", "TLSv1.3, sslmode=require (encrypted; the server's certificate is not verified)"),
        (.direct, "sslmode=verify-ca&sslrootcert=CA", "TLSv1.3, sslmode=verify-ca (certificate verified against CA, host name not checked)"),
        (.direct, "sslmode=verify-full&sslrootcert=CA", "TLSv1.3, sslmode=verify-full (certificate verified against CA for host localhost)"),
        (.direct, "sslmode=verify-ca&sslrootcert=OTHER", "error: SSL error: certificate verify failed|not signed by the CA in sslrootcert"),
        (.direct, "sslmode=verify-ca", "error: root certificate file|need the CA's certificate"),
        (.pgbouncer, "sslmode=require", "TLSv1.3, sslmode=require (encrypted; the server's certificate is not verified)"),
        (.pgbouncer, "sslmode=verify-full&sslrootcert=CA", "TLSv1.3, sslmode=verify-full (certificate verified against CA for host localhost)"),
        (.pgbouncer, "sslmode=disable", "none, sslmode=disable (not encrypted)"),
        (.plainPooler, "", "none, sslmode=prefer (not encrypted: the server offered no TLS; sslmode=require insists on it)"),
        (.plainPooler, "sslmode=require", "error: server does not support SSL, but SSL was required|the server does not offer TLS"),
        (.plainPooler, "sslmode=verify-full&sslrootcert=CA", "error: server does not support SSL|the server does not offer TLS"),
    ] as [(Server, String, String)])
    func tlsModes(server: Server, query: String, expected: String) async throws {
        let authority = try Self.certificateAuthority
        let other = try TestDatabase.testSetting("GODWIT_PG_OTHER_CA")
        // Each placeholder replaced once, where it stands: a temporary folder's name may hold "CA" itself.
        let resolvedQuery = query.replacing("sslrootcert=OTHER", with: "sslrootcert=\(other)")
            .replacing("sslrootcert=CA", with: "sslrootcert=\(authority)")
        let url = try await Self.url(server, host: "localhost", query: resolvedQuery)
        let result = try await run(["status", "--database-url", url])
        if expected.hasPrefix("error: ") {
            let parts = expected.dropFirst("error: ".count).split(separator: "|").map(String.init)
            #expect(result.status == 1)
            let lines = result.stderr.split(separator: "\n").map(String.init)
            #expect(lines.count == 2, "one line for what, one for what to do:\n\(result)")
            #expect(lines.first?.hasPrefix("error: cannot connect to PostgreSQL postgres://postgres:***@localhost") == true, "\(result)")
            #expect(lines.first?.contains(parts[0]) == true, "\(result)")
            #expect(lines.last?.contains(parts[1]) == true, "\(result)")
        } else {
            #expect(result.status == 0, "\(result)")
            #expect(statusLine("TLS", of: result) == expected.replacing("CA", with: authority), "\(result)")
        }
        expectNoSecret(try Self.adminPassword, in: result)
    }

    @Test("verify-full checks the host name: the certificate names localhost, not 127.0.0.1")
    func hostNameMismatch() async throws {
        let url = try await Self.url(.direct, query: "sslmode=verify-full&sslrootcert=\(try Self.certificateAuthority)")
        let result = try await run(["status", "--database-url", url])
        #expect(result.status == 1)
        #expect(result.stderr.contains(#"server certificate for "localhost" (and 1 other name) does not match host name "127.0.0.1""#), "\(result)")
        #expect(result.stderr.contains("connect with a host name that the certificate names, or use sslmode=verify-ca"))
    }

    @Test("a role allowed in over TLS only: SUPABASE_DB_* require TLS by default; sslmode=disable is refused with what to do",
          arguments: [Server.direct, .pgbouncer])
    func tlsOnlyRole(server: Server) async throws {
        var environment = [
            "SUPABASE_DB_HOST": "127.0.0.1", "SUPABASE_DB_PORT": try server.port, "SUPABASE_DB_NAME": "postgres",
            "SUPABASE_DB_USER": try Self.tlsRole, "SUPABASE_DB_PASSWORD": try Self.tlsRolePassword,
        ]
        let status = try await run(["status"], environment: environment)
        #expect(status.status == 0, "\(status)")
        #expect(statusLine("TLS", of: status)?.hasPrefix("TLSv1.3, sslmode=require") == true, "\(status)")
        expectNoSecret(try Self.tlsRolePassword, in: status)

        // PgBouncer itself connects to the server over TLS, so only the direct connection meets pg_hba.conf.
        guard server == .direct else { return }
        environment["SUPABASE_DB_SSLMODE"] = "disable"
        let refused = try await run(["status"], environment: environment)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("pg_hba.conf rejects connection"), "\(refused)")
        #expect(refused.stderr.contains("no encryption"))
        #expect(refused.stderr.contains("the server accepts this user over TLS only: set SUPABASE_DB_SSLMODE to require or stronger"))
        expectNoSecret(try Self.tlsRolePassword, in: refused)
    }

    // MARK: The same connection, two spellings

    @Test("SUPABASE_DB_* and DATABASE_URL reach the same database; a password holding @ : / ? # % works in both",
          arguments: [Server.direct, .pgbouncer])
    func twoSpellings(server: Server) async throws {
        let database = try await TestDatabase.make(.postgres)
        let name = try #require(URLComponents(string: database.url)?.path.dropFirst())
        let admin = try await database.connect()
        _ = try await admin.query("ALTER DATABASE \"\(name)\" OWNER TO \(try Self.tlsRole)")
        _ = try await admin.query("ALTER SCHEMA public OWNER TO \(try Self.tlsRole)")
        try database.writeMigrations(["001_users.sql": Self.users])
        let password = try Self.tlsRolePassword
        #expect(["@", ":", "/", "?", "#", "%"].allSatisfy(password.contains), "the test password holds every character that needs escaping")

        let variables = [
            "SUPABASE_DB_HOST": "127.0.0.1", "SUPABASE_DB_PORT": try server.port, "SUPABASE_DB_NAME": String(name),
            "SUPABASE_DB_USER": try Self.tlsRole, "SUPABASE_DB_PASSWORD": password,
        ]
        let latest = try await runGodwit(["latest"], in: database.folder, environment: variables)
        #expect(latest.status == 0, "\(latest)")
        #expect(latest.stdoutLines == ["Using environment: development", "Batch 1 run: 1 migrations", "001_users.sql"])

        let encoded = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))!
        let url = "postgres://\(try Self.tlsRole):\(encoded)@127.0.0.1:\(try server.port)/\(name)?sslmode=require"
        let status = try await runGodwit(["status", "--json"], in: database.folder, environment: ["DATABASE_URL": url])
        #expect(status.status == 0, "\(status)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let completed = try #require(json["completed"] as? [[String: Any]])
        #expect(completed.map { $0["name"] as? String } == ["001_users.sql"], "the run through SUPABASE_DB_* is seen through DATABASE_URL")
        let shown = try #require(json["database"] as? [String: Any])
        #expect(shown["kind"] as? String == "postgresql")
        #expect(shown["url"] as? String == "postgres://\(try Self.tlsRole):***@127.0.0.1:\(try server.port)/\(name)?sslmode=require")
        #expect(shown["host"] as? String == "127.0.0.1")
        #expect(shown["port"] as? String == (try server.port))
        #expect(shown["database"] as? String == String(name))
        #expect(shown["user"] as? String == (try Self.tlsRole))
        let tls = try #require(shown["tls"] as? [String: Any], "\(shown)")
        #expect(tls["sslmode"] as? String == "require")
        #expect((tls["protocol"] as? String)?.hasPrefix("TLSv1.") == true)
        #expect(tls["verified"] as? Bool == false)
        #expect(tls["host_verified"] as? Bool == false)
        for result in [latest, status] { expectNoSecret(password, in: result) }

        // A raw '@' or '/' would make libpq read another host or port: refused, naming the part, masked.
        let raw = "postgres://\(try Self.tlsRole):\(password)@127.0.0.1:\(try server.port)/\(name)"
        let refused = try await runGodwit(["status"], in: database.folder, environment: ["DATABASE_URL": raw])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("the password holds a raw '@', which a URL must percent-encode as %40"), "\(refused)")
        expectNoSecret(password, in: refused)
    }

    // MARK: Failures

    @Test("connection failures: one line saying what, one saying what to change; exit 1; no password", arguments: [
        ("wrong password", "postgres://postgres:Wr0ng-p%40ss@127.0.0.1:DIRECT/postgres",
         #"password authentication failed for user "postgres""#, "check the password in DATABASE_URL for user postgres"),
        ("wrong password through PgBouncer", "postgres://postgres:Wr0ng-p%40ss@127.0.0.1:POOLER/postgres",
         "SASL authentication failed", "check the password in DATABASE_URL for user postgres"),
        ("unknown host", "postgres://postgres:PASSWORD@no-such-host.invalid:5432/postgres",
         #"could not translate host name "no-such-host.invalid""#, "no such host 'no-such-host.invalid': check the host in DATABASE_URL"),
        ("refused port", "postgres://postgres:PASSWORD@127.0.0.1:1/postgres",
         "Connection refused", "is the server running, and is the port in DATABASE_URL right?"),
        ("missing database", "postgres://postgres:PASSWORD@127.0.0.1:DIRECT/no_such_db",
         #"database "no_such_db" does not exist"#, "the server has no database 'no_such_db': create it, or check the database name in DATABASE_URL"),
        ("missing database through PgBouncer", "postgres://postgres:PASSWORD@127.0.0.1:POOLER/no_such_db?sslmode=require",
         #"database "no_such_db" does not exist"#, "the server has no database 'no_such_db'"),
    ])
    func connectionFailures(what: String, template: String, reason: String, advice: String) async throws {
        let password = try Self.adminPassword
        let url = template.replacing("PASSWORD", with: password).replacing("DIRECT", with: try Server.direct.port)
            .replacing("POOLER", with: try Server.pgbouncer.port)
        let result = try await run(["latest"], environment: ["DATABASE_URL": url])
        #expect(result.status == 1, "\(what)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(what): \(result)")
        #expect(lines.first?.hasPrefix("error: cannot connect to PostgreSQL postgres://postgres:***@") == true, "\(what): \(result)")
        #expect(lines.first?.contains(reason) == true, "\(what): \(result)")
        #expect(lines.last?.contains(advice) == true, "\(what): \(result)")
        expectNoSecret(password, in: result)
        expectNoSecret("Wr0ng-p@ss", in: result)
    }

    @Test("a host that never answers: the connect timeout ends the wait, and says how to change it")
    func connectTimeout() async throws {
        let silent = try SilentListener()
        let url = "postgres://postgres:Secret-\(UUID().uuidString.prefix(6))@127.0.0.1:\(silent.port)/postgres"
        let result = try await run(["status", "--connect-timeout", "2"], environment: ["DATABASE_URL": url])
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: cannot connect to PostgreSQL postgres://postgres:***@127.0.0.1:\(silent.port)/postgres: timeout expired"), "\(result)")
        #expect(result.stderr.contains("no answer within 2 s"))
        #expect(result.stderr.contains("--connect-timeout / GODWIT_CONNECT_TIMEOUT"))
        let variable = try await run(["status"], environment: ["DATABASE_URL": url, "GODWIT_CONNECT_TIMEOUT": "3"])
        #expect(variable.stderr.contains("no answer within 3 s"), "\(variable)")
    }

    @Test("a malformed DATABASE_URL names the part that is wrong, password masked", arguments: [
        ("postgres://app:se@cret@db.example.com/app", "the password holds a raw '@', which a URL must percent-encode as %40"),
        ("postgres://app:se/cret@db.example.com/app", "the password holds a raw '/', which a URL must percent-encode as %2F"),
        ("postgres://app:se?cret@db.example.com/app", "the password holds a raw '?', which a URL must percent-encode as %3F"),
        ("postgres://app:se#cret@db.example.com/app", "the password holds a raw '#', which a URL must percent-encode as %23"),
        ("postgres://app:se%zzcret@db.example.com/app", "the password holds a '%' that does not start a %XX escape"),
        ("postgres://app:secret@db.example.com:54x2/app", "the port '54x2' is not a number from 1 to 65535"),
        ("postgres://app:secret@db.example.com/app?sslmode=required", "sslmode 'required' is not one of disable, allow, prefer, require, verify-ca, verify-full"),
        ("postgres://app:secret@db.example.com/app?pool=5", "the query string names 'pool', which is not a libpq connection parameter"),
        ("postgres://app:secret@[::1/app", "the host: an IPv6 address must be written in brackets"),
    ])
    func malformedURL(url: String, expected: String) async throws {
        let result = try await run(["latest"], environment: ["DATABASE_URL": url])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: malformed PostgreSQL URL postgres://app:***@"), "\(result)")
        #expect(result.stderr.contains(expected), "\(result)")
        for secret in ["se@cret", "se/cret", "se?cret", "se#cret", "se%zzcret", "secret"] {
            #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret), "\(result)")
        }
    }

    // MARK: Poolers

    @Test("status says what sits between Godwit and the server: nothing, PgBouncer in transaction or session mode")
    func poolerDetection() async throws {
        let direct = try await run(["status", "--database-url", try Self.url(.direct, query: "sslmode=require")])
        #expect(statusLine("Pooler", of: direct)?.hasPrefix("none detected") == true, "\(direct)")
        let transaction = try await run(["status", "--database-url", try Self.url(.pgbouncer, query: "sslmode=require")])
        #expect(statusLine("Pooler", of: transaction)?.hasPrefix("PgBouncer 1.18") == true, "\(transaction)")
        #expect(statusLine("Pooler", of: transaction)?.contains("pool_mode = transaction") == true)
        let session = try await run(["status", "--database-url", try Self.url(.plainPooler)])
        #expect(statusLine("Pooler", of: session)?.contains("pool_mode = session") == true, "\(session)")

        // A user PgBouncer's console does not answer: detected, mode unknown, transaction mode assumed.
        let user = [
            "SUPABASE_DB_HOST": "127.0.0.1", "SUPABASE_DB_PORT": try Server.pgbouncer.port,
            "SUPABASE_DB_USER": try Self.tlsRole, "SUPABASE_DB_PASSWORD": try Self.tlsRolePassword,
        ]
        let unprivileged = try await run(["status", "--json"], environment: user)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(unprivileged.stdout.utf8)) as? [String: Any])
        let pooler = try #require((json["database"] as? [String: Any])?["pooler"] as? [String: Any], "\(unprivileged)")
        #expect(pooler["detected"] as? Bool == true, "\(pooler)")
        #expect(pooler["kind"] is NSNull && pooler["mode"] is NSNull, "\(pooler)")
        #expect(statusLine("Pooler", of: try await run(["status"], environment: user))?.contains("transaction mode assumed") == true)
        let counted = try await run(["status", "--json", "--database-url", try Self.url(.pgbouncer, query: "sslmode=require")])
        let known = try #require(try JSONSerialization.jsonObject(with: Data(counted.stdout.utf8)) as? [String: Any])
        let bouncer = try #require((known["database"] as? [String: Any])?["pooler"] as? [String: Any], "\(counted)")
        #expect(bouncer["detected"] as? Bool == true && bouncer["kind"] as? String == "pgbouncer" && bouncer["mode"] as? String == "transaction", "\(bouncer)")
        let none = try await run(["status", "--json", "--database-url", try Self.url(.direct, query: "sslmode=require")])
        let directJSON = try #require(try JSONSerialization.jsonObject(with: Data(none.stdout.utf8)) as? [String: Any])
        #expect(((directJSON["database"] as? [String: Any])?["pooler"] as? [String: Any])?["detected"] as? Bool == false, "\(none)")
    }

    // MARK: Schema and environments

    @Test("--schema / GODWIT_SCHEMA keeps the tracking tables in another schema, created when missing",
          arguments: [DatabaseKind.postgres, .pgbouncer])
    func schema(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        try database.writeMigrations(["001_users.sql": Self.users])
        let env = ["DATABASE_URL": database.url, "GODWIT_SCHEMA": "godwit meta"]
        let latest = try await godwit("latest", in: database.folder, environment: env)
        #expect(latest.status == 0, "\(latest)")
        let connection = try await database.connect()
        let tables = try await connection.query(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema IN ('public', 'godwit meta') ORDER BY 1"
        ).map { $0[0].text }
        #expect(tables == [
            "godwit meta.knex_migrations", "godwit meta.knex_migrations_godwit", "godwit meta.knex_migrations_godwit_lease",
            "godwit meta.knex_migrations_lock", "public.users",
        ])
        let status = try await godwit("status", in: database.folder, environment: env)
        #expect(status.stdout.contains("Schema: godwit meta (tracking tables)"), "\(status)")
        #expect(status.stdout.contains("001_users.sql"))
        let elsewhere = try await godwit("list", in: database.folder, environment: ["DATABASE_URL": database.url])
        #expect(elsewhere.stdoutLines.contains("No Completed Migration files Found."), "public has no tracking tables")
        let rollback = try await godwit("rollback", "--schema", "godwit meta", in: database.folder, environment: ["DATABASE_URL": database.url])
        #expect(rollback.status == 0, "\(rollback)")
        #expect(try await connection.query(#"SELECT count(*) FROM "godwit meta"."knex_migrations""#).first?[0].integer == 0)
        #expect(!(try await database.hasTable("users", on: connection)))
    }

    @Test("--schema on SQLite is refused: SQLite has no schemas")
    func schemaOnSQLite() async throws {
        let result = try await run(["latest", "--schema", "meta", "--database-url", "sqlite:x.sqlite3"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("--schema / GODWIT_SCHEMA 'meta' applies to PostgreSQL only"), "\(result)")
    }

    @Test("--env production reads .env.production over .env, says so first in every command, never uses SQLite")
    func production() async throws {
        let database = try await TestDatabase.make(.postgres)
        try database.writeMigrations(["001_users.sql": Self.users])
        let folder = database.folder
        try "DATABASE_URL=sqlite:development.sqlite3\n".write(to: folder.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let url = try #require(URLComponents(string: database.url))
        let production = """
            SUPABASE_DB_HOST=\(url.host!)
            SUPABASE_DB_PORT=\(url.port!)
            SUPABASE_DB_NAME=\(url.path.dropFirst())
            SUPABASE_DB_USER=postgres
            SUPABASE_DB_PASSWORD="\(try Self.adminPassword)"

            """
        try production.write(to: folder.appendingPathComponent(".env.production"), atomically: true, encoding: .utf8)
        try ".env.production\n".write(to: folder.appendingPathComponent(".gitignore"), atomically: true, encoding: .utf8)
        let commands: [[String]] = [["latest"], ["status"], ["list"], ["down"], ["up"], ["rollback"], ["rollback", "--all"], ["unlock"]]
        for command in commands {
            let result = try await runGodwit(command + ["--env", "production"], in: folder)
            #expect(result.status == 0, "\(command): \(result)")
            #expect(result.stdoutLines.first == "Using environment: production", "\(command): \(result)")
            expectNoSecret(try Self.adminPassword, in: result)
        }
        let status = try await runGodwit(["status", "--env", "production"], in: folder)
        #expect(status.stdout.contains("Database: PostgreSQL postgres://postgres:***@"), "\(status)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("development.sqlite3").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("dev.sqlite3").path))

        // Without .env.production, the shared .env's SQLite file is not production's: an error.
        try FileManager.default.removeItem(at: folder.appendingPathComponent(".env.production"))
        let shared = try await runGodwit(["latest", "--env", "production"], in: folder)
        #expect(shared.status == 1)
        #expect(shared.stdoutLines == ["Using environment: production"], "a configuration error still says which environment: \(shared)")
        #expect(shared.stderr.contains("environment 'production' would use the SQLite file of DATABASE_URL in .env"), "\(shared)")
        // With no .env at all there is nothing for production: an error, not the development default.
        try FileManager.default.removeItem(at: folder.appendingPathComponent(".env"))
        let unconfigured = try await runGodwit(["latest", "--env", "production"], in: folder)
        #expect(unconfigured.status == 1)
        #expect(unconfigured.stdoutLines == ["Using environment: production"], "\(unconfigured)")
        #expect(unconfigured.stderr.contains("no database configured for environment 'production'"), "\(unconfigured)")
        for file in ["dev.sqlite3", "development.sqlite3"] {
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path))
        }
    }
}
