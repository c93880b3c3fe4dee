import Foundation
import GodwitCore
import GodwitPostgres
import GodwitSQLite
import GodwitTestSupport
import Testing

/// What the engine relies on from every driver, checked the same way on each (as fluent-kit's benchmark
/// does for its drivers): SQLite, PostgreSQL, and PostgreSQL through PgBouncer in transaction mode. A new
/// driver proves itself by joining `DatabaseKind` and passing these.
@Suite("Driver conformance")
struct DriverConformanceTests {
    /// A statement that runs for about 30 s and can be cancelled.
    static func longStatement(_ kind: DatabaseKind) -> String {
        kind.isPostgres
            ? "SELECT pg_sleep(30)"
            : "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 600000000) SELECT count(*) FROM c"
    }

    @Test("bound values come back as the types they were sent, rows in order, NULL as null", arguments: DatabaseKind.allCases)
    func values(kind: DatabaseKind) async throws {
        let connection = try await TestDatabase.make(kind).connect()
        let dialect = connection.dialect
        let casts = kind.isPostgres ? ["::bigint", "::float8", "::text", "::text"] : ["", "", "", ""]
        let row = try await connection.query(
            "SELECT \(dialect.placeholder(1))\(casts[0]), \(dialect.placeholder(2))\(casts[1]), \(dialect.placeholder(3))\(casts[2]), \(dialect.placeholder(4))\(casts[3])",
            [.integer(9_007_199_254_740_993), .double(1.5), .text("é'\"; --"), .null])
        #expect(row.count == 1)
        #expect(row[0] == [.integer(9_007_199_254_740_993), .double(1.5), .text("é'\"; --"), .null])
        try await connection.execute(script: "CREATE TABLE n (v integer); INSERT INTO n VALUES (3); INSERT INTO n VALUES (1); INSERT INTO n VALUES (2);")
        #expect(try await connection.query("SELECT v FROM n ORDER BY v").map { $0[0] } == [.integer(1), .integer(2), .integer(3)])
    }

    @Test("a failing script names the failing statement by offset, what ran before it stays in the transaction, the connection goes on",
          arguments: DatabaseKind.allCases)
    func scriptFailure(kind: DatabaseKind) async throws {
        let connection = try await TestDatabase.make(kind).connect()
        _ = try await connection.query(connection.dialect.beginTransaction)
        let script = "CREATE TABLE a (id integer);\nINSERT INTO a VALUES (1);\nINSERT INTO missing VALUES (1);\nCREATE TABLE b (id integer);"
        let failure = await #expect(throws: DatabaseError.self) { try await connection.execute(script: script) }
        #expect(failure?.statementOffset == script.utf8.count - "INSERT INTO missing VALUES (1);\nCREATE TABLE b (id integer);".utf8.count)
        #expect(failure?.statement == "INSERT INTO missing VALUES (1)")
        #expect(failure?.kind == .undefinedTable)
        #expect(failure?.isConnectionFailure == false)
        _ = try await connection.query("ROLLBACK")
        #expect(try await connection.query("SELECT 1")[0][0] == .integer(1))
    }

    @Test("a transaction rolled back leaves nothing; outside one, each statement of a script stands alone", arguments: DatabaseKind.allCases)
    func transactions(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let connection = try await database.connect()
        _ = try await connection.query(connection.dialect.beginTransaction)
        try await connection.execute(script: "CREATE TABLE gone (id integer); INSERT INTO gone VALUES (1);")
        _ = try await connection.query("ROLLBACK")
        #expect(try await !database.hasTable("gone", on: connection))
        let failure = await #expect(throws: DatabaseError.self) {
            try await connection.execute(script: "CREATE TABLE kept (id integer); INSERT INTO nowhere VALUES (1);")
        }
        #expect(failure?.kind == .undefinedTable)
        #expect(try await database.hasTable("kept", on: connection), "autocommit: the first statement stays")
    }

    @Test("beginTransaction(then:) opens a transaction with its settings in force; a failing setup leaves it to roll back", arguments: DatabaseKind.allCases)
    func beginWithSetup(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let connection = try await database.connect()
        // The engine's own settings, as a transaction:false statement's transaction gets them.
        let setup = connection.dialect.transactionSettings(lockTimeoutMilliseconds: 1234, idleLimitMilliseconds: 60_000)
        try await connection.beginTransaction(then: setup)
        try await connection.execute(script: "CREATE TABLE gone (id integer)")
        if kind.isPostgres {
            #expect(try await connection.query("SELECT current_setting('lock_timeout'), current_setting('idle_in_transaction_session_timeout')")
                == [[.text("1234ms"), .text("1min")]], "the settings hold in the transaction")
        }
        _ = try await connection.query("ROLLBACK")
        #expect(try await !database.hasTable("gone", on: connection), "the statements ran in the transaction")
        if kind.isPostgres {
            #expect(try await connection.query("SELECT current_setting('lock_timeout')") != [[.text("1234ms")]], "local to the transaction")
            await #expect(throws: DatabaseError.self) { try await connection.beginTransaction(then: "SELECT no_such_function()") }
            _ = try await connection.query("ROLLBACK")
            #expect(try await connection.query("SELECT 1")[0][0] == .integer(1), "the connection goes on")
        }
    }

    @Test("cancelling the task stops the running statement at once: cancelled (through a pooler its connection is shut instead)",
          arguments: DatabaseKind.allCases)
    func cancellation(kind: DatabaseKind) async throws {
        let connection = try await TestDatabase.make(kind).connect()
        let running = Task { try await connection.query(Self.longStatement(kind)) }
        try await Task.sleep(for: .milliseconds(300))
        running.cancel()
        let clock = ContinuousClock()
        let start = clock.now
        let failure = await #expect(throws: DatabaseError.self) { try await running.value }
        #expect(clock.now - start < .seconds(20), "the statement was stopped, not waited for")
        if failure?.isConnectionFailure == true {
            // A cancel request through a pooler could reach another client's statement: the driver shuts
            // its socket instead, and the server ends the statement with the connection.
            #expect(kind == .pgbouncer, "only through a pooler: \(String(describing: failure))")
        } else {
            // Stopped while it ran, or not started at all when the cancellation came first.
            #expect(failure?.kind == .cancelled, "\(String(describing: failure))")
            #expect(try await connection.query("SELECT 2")[0][0] == .integer(2))
        }
    }

    @Test("a connection the server ended before its first query: the query fails as a lost connection, it does not return no rows")
    func lostBeforeFirstQuery() async throws {
        let database = try await TestDatabase.make(.postgres)
        let connection = try await database.connect()
        let admin = try await PostgresConnection.connect(try PostgresConnectionSettings(url: try TestDatabase.postgresAdminURL()))
        let name = String(database.url.split(separator: "/").last!.split(separator: "?").first!)
        // The probe sent at connect and the first query then meet a closed connection together.
        let ended = try await admin.query(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE datname = $1",
            [.text(name)])
        #expect(ended.map { $0[0] } == [.integer(1)])
        let failure = await #expect(throws: DatabaseError.self) { try await connection.query("SELECT 1") }
        #expect(failure?.isConnectionFailure == true, "\(String(describing: failure))")
        #expect(failure?.message.isEmpty == false)
    }

    @Test("the tracking tables' DDL can run twice (runners race to create them), and the dialect splits as its shell does",
          arguments: DatabaseKind.allCases)
    func dialect(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let connection = try await database.connect()
        let dialect = connection.dialect
        for _ in 0..<2 {
            _ = try await connection.query(dialect.beginTransaction)
            let statements = dialect.createTrackingTables(migrations: TableName("knex_migrations"), lock: TableName("knex_migrations_lock"))
                + dialect.createGodwitTables(progress: TableName("knex_migrations_godwit"), lease: TableName("knex_migrations_godwit_lease"))
            for statement in statements {
                _ = try await connection.query(statement)
            }
            _ = try await connection.query("COMMIT")
        }
        for table in ["knex_migrations", "knex_migrations_lock", "knex_migrations_godwit", "knex_migrations_godwit_lease"] {
            #expect(try await database.hasTable(table, on: connection), "\(table)")
        }
        let script = "CREATE TABLE s (t text);\nINSERT INTO s VALUES ('a;b');\n-- a comment; with a semicolon\nINSERT INTO s VALUES ('c');"
        let pieces = dialect.statementRanges(in: script).map { script.utf8Slice($0) }
        #expect(pieces.count == 3)
        for piece in pieces { try await connection.execute(script: piece) }
        #expect(try await connection.query("SELECT t FROM s ORDER BY t").map { $0[0] } == [.text("a;b"), .text("c")])
    }

    @Test("a second connection, or a process lock, holds the migration lock while the first migrates", arguments: DatabaseKind.allCases)
    func lockHolders(kind: DatabaseKind) async throws {
        let connection = try await TestDatabase.make(kind).connect()
        let another = try await connection.openAnother()
        let lock = try await connection.acquireProcessLock(timeout: .seconds(1))
        defer { lock?.release() }
        // Each database needs exactly one of them: PostgreSQL a second connection, SQLite a process lock.
        #expect((another != nil) != (lock != nil))
        if let another { #expect(try await another.query("SELECT 3")[0][0] == .integer(3)) }
        if lock != nil {
            let busy = await #expect(throws: GodwitError.self) { try await connection.acquireProcessLock(timeout: .milliseconds(100)) }
            #expect(busy?.code == .locked)
        }
    }

    @Test("a call waiting for another connection's lock holds its connection's own thread: the rest of the program goes on",
          arguments: DatabaseKind.allCases)
    func waitsOffThePool(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let holder = try await database.connect()
        try await holder.execute(script: "CREATE TABLE w (id integer)")
        _ = try await holder.query(kind.isPostgres ? "BEGIN" : "BEGIN IMMEDIATE")
        if kind.isPostgres { _ = try await holder.query("LOCK TABLE w IN ACCESS EXCLUSIVE MODE") }
        // More waiters than Swift's cooperative pool has threads: were a wait to hold a pool thread, this
        // task could not go on to commit until the waits gave up (20 s), and the inserts would fail.
        let count = ProcessInfo.processInfo.activeProcessorCount + 1
        var waiters: [any DatabaseConnection] = []
        for _ in 0..<count {
            waiters.append(
                kind.isPostgres
                    ? try await database.connect()
                    : try await SQLiteConnection.open(path: String(database.url.dropFirst("sqlite:".count)), busyTimeout: .seconds(20)))
        }
        let insert = kind.isPostgres
            ? "BEGIN; SET LOCAL lock_timeout = '20s'; INSERT INTO w VALUES (1); COMMIT;"
            : "INSERT INTO w VALUES (1);"
        let inserting = waiters.map { waiter in Task { try await waiter.execute(script: insert) } }
        try await Task.sleep(for: .milliseconds(300))
        _ = try await holder.query("COMMIT")
        for task in inserting { try await task.value }
        #expect(try await holder.query("SELECT count(*) FROM w")[0][0] == .integer(Int64(count)))
    }
}
