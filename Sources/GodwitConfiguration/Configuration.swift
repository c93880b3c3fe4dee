#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GodwitCore
import GodwitPostgres

/// Everything a command needs to know before it connects, resolved once from flags, the process
/// environment, `.env.<env>` and `.env` (highest first).
public struct Configuration: Sendable {
    /// Which database to use.
    public enum Database: Sendable, CustomStringConvertible {
        /// A SQLite file; `isDefault` when nothing was configured and the development default applies.
        case sqlite(path: String, isDefault: Bool)
        /// A PostgreSQL server.
        case postgres(PostgresConnectionSettings)

        /// The database for people to read, with no password.
        public var description: String {
            switch self {
            case .sqlite(let path, _): "SQLite \(path)"
            case .postgres(let settings): "PostgreSQL \(settings)"
            }
        }
    }

    /// Where the database setting came from, for advice that names it.
    public enum DatabaseSource: Sendable {
        /// `--database-url`.
        case flag
        /// `DATABASE_URL`.
        case url
        /// `SUPABASE_DB_HOST` and its siblings.
        case supabaseVariables
        /// Nothing: the development default.
        case developmentDefault
    }

    /// Settings given in code or as command-line flags: each wins over its environment variable.
    public struct Overrides: Sendable {
        /// `--schema` (over `GODWIT_SCHEMA`).
        public var schema: String?
        /// `--connect-timeout` (over `GODWIT_CONNECT_TIMEOUT`).
        public var connectTimeout: Duration?
        /// `--lock-timeout` (over `GODWIT_LOCK_TIMEOUT`).
        public var lockTimeout: Duration?
        /// `--ddl-lock-timeout` (over `GODWIT_DDL_LOCK_TIMEOUT`); zero: no limit.
        public var ddlLockTimeout: Duration?
        /// `--ddl-retries` (over `GODWIT_DDL_RETRIES`).
        public var ddlRetries: Int?
        /// `--wait`, `wait --timeout` (over `GODWIT_WAIT_TIMEOUT`).
        public var waitTimeout: Duration?
        /// `--transaction-per-migration` (over `GODWIT_TRANSACTION_PER_MIGRATION`).
        public var transactionPerMigration: Bool?
        /// `--allow-empty-down` (over `GODWIT_ALLOW_EMPTY_DOWN`).
        public var allowEmptyDown: Bool?

        /// No overrides: every setting comes from the environment, `.env` files or its default.
        public init(
            schema: String? = nil, connectTimeout: Duration? = nil, lockTimeout: Duration? = nil,
            ddlLockTimeout: Duration? = nil, ddlRetries: Int? = nil, waitTimeout: Duration? = nil,
            transactionPerMigration: Bool? = nil, allowEmptyDown: Bool? = nil
        ) {
            self.transactionPerMigration = transactionPerMigration
            self.allowEmptyDown = allowEmptyDown
            self.schema = schema
            self.connectTimeout = connectTimeout
            self.lockTimeout = lockTimeout
            self.ddlLockTimeout = ddlLockTimeout
            self.ddlRetries = ddlRetries
            self.waitTimeout = waitTimeout
        }
    }

    /// The environment's name (`development`, `production`, …).
    public let environment: String
    /// The database.
    public let database: Database
    /// Where the database setting came from.
    public let databaseSource: DatabaseSource
    /// The schema that holds the tracking tables (`GODWIT_SCHEMA`, as Knex's `schemaName`); `nil`: the
    /// connection's default (`public`).
    public let schema: String?
    /// The folder of SQL migrations; `nil` when the program's migrations are all compiled in and no
    /// folder was configured. A configured folder that does not exist is an error, never "no migrations".
    public let migrationsDirectory: String?
    /// How long to wait for the database to accept connections (`--wait`, `GODWIT_WAIT_TIMEOUT`); `nil`:
    /// not at all.
    public let waitTimeout: Duration?
    /// The folder `make --swift` writes to (`GODWIT_SWIFT_MIGRATIONS_DIR`); `nil`: not set.
    public let swiftMigrationsDirectory: String?
    /// Lock waits and retries: `GODWIT_LOCK_TIMEOUT`, `GODWIT_DDL_LOCK_TIMEOUT`, `GODWIT_DDL_RETRIES`,
    /// `GODWIT_LOCK_LEASE` (seconds; a count for the retries); `GODWIT_KNEX_NAMES` for the names records get;
    /// `GODWIT_TRANSACTION_PER_MIGRATION` and `GODWIT_ALLOW_EMPTY_DOWN` (`1`/`true`/`yes`/`on` or
    /// `0`/`false`/`no`/`off`).
    public let migratorSettings: Migrator.Settings

    /// The SQLite file used in `development` when no database is configured.
    public static let defaultSQLitePath = "dev.sqlite3"

    /// Resolves the configuration.
    ///
    /// - Parameters:
    ///   - environmentName: `--env`, if given.
    ///   - databaseURL: `--database-url`, if given.
    ///   - migrationsDirectory: `--migrations-dir`, if given.
    ///   - overrides: settings given as flags or in code.
    ///   - defaultMigrationsDirectory: the SQL folder when neither `--migrations-dir` nor
    ///     `GODWIT_MIGRATIONS_DIR` names one; `nil` for a program whose migrations are all compiled in.
    ///   - processEnvironment: the process's environment variables.
    ///   - directory: where `.env` files are looked for.
    /// - Throws: `GodwitError` `.configuration` for a malformed `.env`, URL or missing database.
    public static func resolve(
        environmentName: String? = nil, databaseURL: String? = nil, migrationsDirectory: String? = nil,
        overrides: Overrides = Overrides(), defaultMigrationsDirectory: String? = "migrations",
        processEnvironment: [String: String] = ProcessInfo.processInfo.environment, directory: String = "."
    ) throws -> Configuration {
        var flags: [String: String] = [:]
        flags["GODWIT_SCHEMA"] = overrides.schema
        let (environment, layers) = try Configuration.layers(
            environmentName: environmentName, flags: flags, processEnvironment: processEnvironment, directory: directory)
        func lookup(_ key: String) -> String? {
            layers.lazy.compactMap { nonEmpty($0[key]) }.first
        }

        // The most specific layer that names a database decides how it is named: a .env.production that
        // sets SUPABASE_DB_* wins over a DATABASE_URL in the shared .env.
        let namingLayer = layers.firstIndex { nonEmpty($0["DATABASE_URL"]) != nil || nonEmpty($0["SUPABASE_DB_HOST"]) != nil }
        let naming = namingLayer.map { layers[$0] }
        var database: Database
        let source: DatabaseSource
        if let url = nonEmpty(databaseURL) ?? nonEmpty(naming?["DATABASE_URL"]) {
            source = nonEmpty(databaseURL) == nil ? .url : .flag
            database = try parse(databaseURL: url, from: source == .flag ? "--database-url" : "DATABASE_URL")
            if case .sqlite = database, environment != "development", source == .url, namingLayer == layers.count - 1 {
                throw GodwitError(
                    code: .configuration,
                    summary: "environment '\(environment)' would use the SQLite file of DATABASE_URL in .env, which every environment shares",
                    details: [
                        "set the \(environment) database in .env.\(environment) or in the environment (DATABASE_URL or SUPABASE_DB_*); a SQLite \(environment) database is taken from there only",
                    ])
            }
        } else if let host = lookup("SUPABASE_DB_HOST") {
            database = .postgres(
                try PostgresConnectionSettings(
                    host: host, port: lookup("SUPABASE_DB_PORT") ?? "5432", database: lookup("SUPABASE_DB_NAME") ?? "postgres",
                    user: lookup("SUPABASE_DB_USER") ?? "postgres", password: lookup("SUPABASE_DB_PASSWORD"),
                    sslMode: lookup("SUPABASE_DB_SSLMODE") ?? "require", sslRootCertificate: lookup("SUPABASE_DB_SSLROOTCERT")))
            source = .supabaseVariables
        } else if environment == "development" {
            database = .sqlite(path: defaultSQLitePath, isDefault: true)
            source = .developmentDefault
        } else {
            throw GodwitError(
                code: .configuration,
                summary: "no database configured for environment '\(environment)'",
                details: [
                    "set DATABASE_URL (postgres://USER:PASSWORD@HOST:5432/DATABASE or sqlite:PATH),",
                    "or SUPABASE_DB_HOST, SUPABASE_DB_PORT, SUPABASE_DB_NAME, SUPABASE_DB_USER and SUPABASE_DB_PASSWORD,",
                    "in the environment, in .env.\(environment) or in .env; only 'development' falls back to \(defaultSQLitePath)",
                ])
        }
        if case .postgres(let settings) = database,
            let timeout = try overrides.connectTimeout ?? seconds(lookup, "GODWIT_CONNECT_TIMEOUT")
        {
            // libpq counts whole seconds and waits at least 2.
            let wholeSeconds = max(1, Int((Double(timeout.milliseconds) / 1000).rounded(.up)))
            database = .postgres(settings.adding(defaults: [("connect_timeout", String(wholeSeconds))]))
        }
        let schema = lookup("GODWIT_SCHEMA")
        if let schema, case .sqlite = database {
            throw GodwitError(
                code: .configuration,
                summary: "--schema / GODWIT_SCHEMA '\(schema)' applies to PostgreSQL only: SQLite keeps its tables in the file itself")
        }
        let defaults = Migrator.Settings()
        let ddlLockTimeout = try overrides.ddlLockTimeout ?? seconds(lookup, "GODWIT_DDL_LOCK_TIMEOUT")
        let settings = Migrator.Settings(
            lockTimeout: try overrides.lockTimeout ?? seconds(lookup, "GODWIT_LOCK_TIMEOUT") ?? defaults.lockTimeout,
            ddlLockTimeout: ddlLockTimeout.map { $0 == .zero ? nil : $0 } ?? defaults.ddlLockTimeout,
            ddlRetries: try overrides.ddlRetries ?? count(lookup, "GODWIT_DDL_RETRIES") ?? defaults.ddlRetries,
            leaseDuration: try seconds(lookup, "GODWIT_LOCK_LEASE").map { max($0, .seconds(1)) }
                ?? defaults.leaseDuration,
            recordNames: try knexNaming(lookup("GODWIT_KNEX_NAMES")) ?? defaults.recordNames,
            transactionPerMigration: try overrides.transactionPerMigration
                ?? boolean(lookup, "GODWIT_TRANSACTION_PER_MIGRATION") ?? defaults.transactionPerMigration,
            allowEmptyDown: try overrides.allowEmptyDown ?? boolean(lookup, "GODWIT_ALLOW_EMPTY_DOWN") ?? defaults.allowEmptyDown)
        return Configuration(
            environment: environment, database: database, databaseSource: source, schema: schema,
            migrationsDirectory: nonEmpty(migrationsDirectory) ?? lookup("GODWIT_MIGRATIONS_DIR") ?? defaultMigrationsDirectory,
            waitTimeout: try overrides.waitTimeout ?? seconds(lookup, "GODWIT_WAIT_TIMEOUT"),
            swiftMigrationsDirectory: nonEmpty(lookup("GODWIT_SWIFT_MIGRATIONS_DIR")),
            migratorSettings: settings)
    }

    /// The settings of `make`, which names no database: the environment, the SQL folder (`--migrations-dir`,
    /// `GODWIT_MIGRATIONS_DIR`, else `migrations`) and `GODWIT_SWIFT_MIGRATIONS_DIR`.
    public static func resolveFolders(
        environmentName: String? = nil, migrationsDirectory: String? = nil,
        processEnvironment: [String: String] = ProcessInfo.processInfo.environment, directory: String = "."
    ) throws -> (environment: String, migrationsDirectory: String, swiftMigrationsDirectory: String?) {
        let (environment, layers) = try Configuration.layers(
            environmentName: environmentName, flags: [:], processEnvironment: processEnvironment, directory: directory)
        func lookup(_ key: String) -> String? { layers.lazy.compactMap { nonEmpty($0[key]) }.first }
        return (
            environment, nonEmpty(migrationsDirectory) ?? lookup("GODWIT_MIGRATIONS_DIR") ?? "migrations",
            lookup("GODWIT_SWIFT_MIGRATIONS_DIR")
        )
    }

    /// The environment's name, and the layers settings are looked up in, highest first: flags, the
    /// process environment, `.env.<environment>`, `.env`.
    private static func layers(
        environmentName: String?, flags: [String: String], processEnvironment: [String: String], directory: String
    ) throws -> (String, [[String: String]]) {
        let base = try DotEnvFile.load(path: "\(directory)/.env")?.variables ?? [:]
        let environment = Configuration.environmentName(flag: environmentName, processEnvironment: processEnvironment, dotEnv: base)
        let specific = try DotEnvFile.load(path: "\(directory)/.env.\(environment)")?.variables ?? [:]
        return (environment, [flags, processEnvironment, specific, base])
    }

    /// The environment's name: `--env`, else `GODWIT_ENV` (the process's, then `.env`'s), else `NODE_ENV`
    /// (the same order), else `development`.
    static func environmentName(flag: String?, processEnvironment: [String: String], dotEnv: [String: String]) -> String {
        nonEmpty(flag) ?? nonEmpty(processEnvironment["GODWIT_ENV"]) ?? nonEmpty(dotEnv["GODWIT_ENV"])
            ?? nonEmpty(processEnvironment["NODE_ENV"]) ?? nonEmpty(dotEnv["NODE_ENV"]) ?? "development"
    }

    /// The environment's name as ``resolve(environmentName:databaseURL:migrationsDirectory:overrides:defaultMigrationsDirectory:processEnvironment:directory:)``
    /// finds it, for saying which environment a command uses before anything else can fail; a `.env` that
    /// cannot be read counts as empty here (resolving reports it).
    public static func environmentName(
        flag: String?, processEnvironment: [String: String] = ProcessInfo.processInfo.environment, directory: String = "."
    ) -> String {
        let dotEnv = (try? DotEnvFile.load(path: "\(directory)/.env"))??.variables ?? [:]
        return environmentName(flag: flag, processEnvironment: processEnvironment, dotEnv: dotEnv)
    }

    private static func nonEmpty(_ value: String?) -> String? { value?.isEmpty == false ? value : nil }

    private static func seconds(_ lookup: (String) -> String?, _ key: String) throws -> Duration? {
        guard let text = lookup(key) else { return nil }
        guard let value = Double(text), value >= 0, value.isFinite else {
            throw invalid(key, text: text, expected: "a number of seconds, e.g. 30 or 0.5")
        }
        return .milliseconds(Int64((value * 1000).rounded()))
    }

    /// `GODWIT_KNEX_NAMES`: `auto` (Knex's extension while the history shows Knex runners), `off` (the
    /// files' own names), or an extension to always record with (`js`, `.ts`, …).
    private static func knexNaming(_ text: String?) throws -> KnexNaming? {
        guard let text else { return nil }
        switch text.lowercased() {
        case "auto": return .automatic
        case "off": return .fileNames
        default:
            let fileExtension = text.hasPrefix(".") ? text.lowercased() : "." + text.lowercased()
            guard KnexNaming.extensions.contains(fileExtension) else {
                throw invalid(
                    "GODWIT_KNEX_NAMES", text: text,
                    expected: "auto, off, or one of \(KnexNaming.extensions.sorted().joined(separator: " "))")
            }
            return .knex(extension: fileExtension)
        }
    }

    private static func count(_ lookup: (String) -> String?, _ key: String) throws -> Int? {
        guard let text = lookup(key) else { return nil }
        guard let value = Int(text), value >= 0 else {
            throw invalid(key, text: text, expected: "a whole number, e.g. 3")
        }
        return value
    }

    private static func boolean(_ lookup: (String) -> String?, _ key: String) throws -> Bool? {
        guard let text = lookup(key) else { return nil }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw invalid(key, text: text, expected: "1, true, yes or on; or 0, false, no or off")
        }
    }

    private static func invalid(_ key: String, text: String, expected: String) -> GodwitError {
        GodwitError(code: .configuration, summary: "invalid \(key) '\(text)': expected \(expected)")
    }

    /// `postgres://` / `postgresql://` go to libpq's parser; `sqlite:PATH` (also `sqlite://PATH`,
    /// `sqlite:///absolute/path`) names a file.
    ///
    /// - Parameter origin: where the URL came from (`DATABASE_URL`, `--database-url`), named in errors.
    static func parse(databaseURL url: String, from origin: String = "DATABASE_URL") throws -> Database {
        let scheme = url.firstIndex(of: ":").map { url[..<$0].lowercased() }
        switch scheme {
        case "postgres", "postgresql":
            return .postgres(try PostgresConnectionSettings(url: url))
        case "sqlite", "sqlite3":
            var path = url[url.index(after: url.firstIndex(of: ":")!)...]
            if path.hasPrefix("//") { path = path.dropFirst(2) }
            guard !path.isEmpty else {
                throw GodwitError(
                    code: .configuration, summary: "\(origin) '\(url)' names no file",
                    details: ["use sqlite:relative/path.sqlite3 or sqlite:///absolute/path.sqlite3"])
            }
            return .sqlite(path: String(path), isDefault: false)
        default:
            let shown = PostgresConnectionSettings.redact(url: url)
            throw GodwitError(
                code: .configuration,
                summary: "\(origin) '\(shown)' has \(scheme.map { "the unsupported scheme '\($0)'" } ?? "no scheme")",
                details: ["use postgres://, postgresql:// or sqlite:"])
        }
    }
}
