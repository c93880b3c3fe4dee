import GodwitCore

/// PostgreSQL's SQL, and the tracking tables exactly as Knex's pg client creates them.
public struct PostgresDialect: SQLDialect {
    /// How soon the server gives up on a silent client, set in each migration transaction.
    public let deadPeerLimits: PostgresDeadPeerLimits

    /// Creates the dialect; `deadPeerLimits` are those of the connection it serves.
    public init(deadPeerLimits: PostgresDeadPeerLimits = .standard) {
        self.deadPeerLimits = deadPeerLimits
    }

    public var name: String { "PostgreSQL" }

    public var family: DatabaseFamily { .postgreSQL }

    public var hasSchemas: Bool { true }

    public func placeholder(_ position: Int) -> String { "$\(position)" }

    public var beginTransaction: String { "BEGIN" }

    /// Knex's DDL with `IF NOT EXISTS`, behind a transaction-scoped advisory lock: two runners creating the
    /// tables at once would otherwise collide in `pg_type` even with `IF NOT EXISTS`. A transaction-scoped
    /// lock holds nothing past the transaction, so it is safe through transaction-mode poolers. A schema
    /// named for the tables is created when missing (Knex leaves that to the user).
    public func createTrackingTables(migrations: TableName, lock: TableName) -> [String] {
        ["SELECT pg_advisory_xact_lock(\(PostgresDialect.trackingTablesLockKey))"]
            + (migrations.schema.map { ["CREATE SCHEMA IF NOT EXISTS \(quote(identifier: $0))"] } ?? [])
            + [
                "create table if not exists \(migrations.quoted(in: self)) (\"id\" serial primary key, \"name\" varchar(255), \"batch\" integer, \"migration_time\" timestamptz)",
                "create table if not exists \(lock.quoted(in: self)) (\"index\" serial primary key, \"is_locked\" integer)",
            ]
    }

    /// The advisory-lock key that serialises creating the tracking tables: "godwit" in ASCII.
    static let trackingTablesLockKey: Int64 = 0x676F_6477_6974

    public func migrationTimeAsEpochSeconds(column: String) -> String {
        "date_part('epoch', \(column))"
    }

    /// A UTC timestamp in ISO 8601 form, which PostgreSQL reads into `timestamptz`.
    public func migrationTimeValue(epochMilliseconds: Int64) -> SQLValue {
        .text(MigrationTime.iso8601(epochMilliseconds: epochMilliseconds))
    }

    public func lockRowQuery(lockTable: TableName) -> String {
        "SELECT \"is_locked\" FROM \(lockTable.quoted(in: self)) FOR UPDATE NOWAIT"
    }

    /// One simple-query message holds them all; the server runs its statements in order and stops at the
    /// first failure, whose position names the migration.
    public var sendsScriptsTogether: Bool { true }

    public var wrapsStatementsOutsideTransactions: Bool { true }

    /// Invalid indexes, schema-qualified, as `DROP INDEX` takes them.
    public var invalidIndexesQuery: String? {
        "SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid ORDER BY 1"
    }

    /// `set_config(…, true)` is `SET LOCAL`: the settings end with the transaction, so nothing outlives it on
    /// a pooled connection. `client_connection_check_interval` makes the server notice a killed client
    /// within 2 s and roll its transaction back, instead of finishing a long statement first; the
    /// keepalive figures (``PostgresDeadPeerLimits``) make a client behind a dead network count as killed.
    /// Through a pooler those reach only the pooler's connection, so `idle_in_transaction_session_timeout`
    /// (the lease's duration: a holder silent that long has lost the lock, in a transaction as with a
    /// lease) ends a transaction whose client went silent between statements.
    public func transactionSettings(lockTimeoutMilliseconds: Int?, idleLimitMilliseconds: Int) -> String? {
        let lockTimeout = lockTimeoutMilliseconds.map { ["set_config('lock_timeout', '\(max($0, 0))', true)"] } ?? []
        let settings = lockTimeout + [
            "set_config('idle_in_transaction_session_timeout', '\(max(idleLimitMilliseconds, 1))', true)",
            "set_config('client_connection_check_interval', '2000', true)",
        ] + deadPeerLimits.serverSettings
        return "SELECT " + settings.joined(separator: ", ")
    }

    /// The sessions whose open transaction holds a lock on the lock table (a row lock comes with one).
    /// Through a pooler, the client address is the pooler's.
    public var lockHolderQuery: String? {
        """
        SELECT 'backend pid ' || a.pid || ', application ' || coalesce(nullif(a.application_name, ''), '?') \
        || coalesce(', client ' || host(a.client_addr), ''), (extract(epoch from a.xact_start) * 1000)::bigint \
        FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
        WHERE l.locktype = 'relation' AND l.relation = to_regclass($1) AND l.granted \
        AND l.mode IN ('RowShareLock', 'RowExclusiveLock') AND a.pid <> pg_backend_pid() \
        ORDER BY a.xact_start LIMIT 1
        """
    }

    public var currentEpochMilliseconds: String { "(extract(epoch from clock_timestamp()) * 1000)::bigint" }

    public func statements(in script: String) -> [ScriptStatement] {
        PostgresScriptSplitter.read(script)
    }

    /// Back to the values the session started with (the server's, the database's and role's, the
    /// connection's options); transaction-scoped ones too.
    public var sessionReset: String? { "RESET ALL" }

    public var schemaOfTableQuery: String? {
        "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)"
    }

    /// What the engine must know about an error with `sqlState` and `message`. A 57014 is the server's
    /// `statement_timeout` when its message says so (the server's English, the default `lc_messages`),
    /// else a cancel request.
    static func kind(ofSQLState sqlState: String?, message: String = "") -> DatabaseError.Kind? {
        switch sqlState {
        case "42P01": .undefinedTable
        case "55P03": .lockNotAvailable
        case "57014": message.contains("statement timeout") ? .statementTimeout : .cancelled
        case "25001": .refusedInTransaction
        case "55P04": .uncommittedEnumValue
        case "53100": .diskFull
        default: nil
        }
    }
}
