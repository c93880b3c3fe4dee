import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import GodwitCore

/// A connection to PostgreSQL through libpq, the reference client.
///
/// Inside a transaction a script travels in one simple-query message, one round trip however many
/// statements it holds; the server splits it as psql's `-1` would run it. Outside a transaction each
/// statement is sent on its own, as psql does, so `CREATE INDEX CONCURRENTLY` works.
///
/// ```swift
/// let connection = try await PostgresConnection.connect(try PostgresConnectionSettings(url: url))
/// let rows = try await connection.query("SELECT $1::int + 1", [.integer(41)])
/// ```
///
/// - Throws: `DatabaseError` with the server's message, SQLSTATE, detail, hint and statement position.
public final class PostgresConnection: DatabaseConnection, @unchecked Sendable {
    // @unchecked: the PGconn and `probePending` are touched only on `thread`, one call at a time.
    let connection: OpaquePointer
    let thread: ConnectionThread
    public let dialect: any SQLDialect
    /// The settings this connection was opened with (no password).
    public let settings: PostgresConnectionSettings
    let stopper: StatementStopper
    private let interrupter: StatementInterrupter
    /// Whether the probe sent at connect (`SELECT pg_backend_pid()`) still waits to be read.
    var probePending = false
    /// Why the connection was given up, after which every call fails with it (see ``readProbe()``).
    var givenUp: DatabaseError?

    /// The thread this connection's calls run on: libpq's waits for the network block it, never a thread of
    /// Swift's cooperative pool.
    public var executor: (any TaskExecutor)? { thread }

    private init(connection: OpaquePointer, settings: PostgresConnectionSettings, thread: ConnectionThread) {
        self.connection = connection
        self.settings = settings
        self.thread = thread
        self.dialect = PostgresDialect(deadPeerLimits: PostgresDeadPeerLimits(settings: settings))
        let stopper = StatementStopper(connection: connection)
        self.stopper = stopper
        self.interrupter = StatementInterrupter(handle: connection) { _ in stopper.stop() }
    }

    /// Opens a connection.
    ///
    /// Unless the settings say otherwise: `connect_timeout=10` (seconds; libpq waits at least 2), `application_name=godwit`,
    /// `client_encoding=UTF8` (all sent in the startup packet, so they cost no round trip and survive poolers),
    /// and TCP keepalives with `tcp_user_timeout` (``PostgresDeadPeerLimits``), so that a connection behind a
    /// network that went silent fails within about 20 s instead of waiting for ever.
    /// Whether a pooler sits in front (which decides how a statement is stopped, see `StatementStopper`)
    /// is asked in the same round trip as the connection's first query.
    ///
    /// - Throws: `DatabaseError` with `isConnectionFailure`, libpq's reason with the password masked, and
    ///   the `ConnectionProblem` when it is one libpq names.
    public static func connect(_ settings: PostgresConnectionSettings) async throws -> PostgresConnection {
        let thread = ConnectionThread(label: "godwit.postgres")
        return try await thread.run { try open(settings, on: thread) }
    }

    /// Opens a connection on the calling thread, which must be `thread`.
    ///
    /// - Parameter probing: whether to ask for the server's process id (not PgBouncer's admin console, which
    ///   knows only the simple protocol).
    static func open(
        _ settings: PostgresConnectionSettings, on thread: ConnectionThread, probing: Bool = true
    ) throws -> PostgresConnection {
        let effective = settings.adding(
            defaults: [("connect_timeout", "10"), ("application_name", "godwit"), ("client_encoding", "UTF8")]
                + PostgresDeadPeerLimits(settings: settings).connectionParameters)
        let parameters = effective.connectionParameters()
        let connection = withCStrings(parameters.map(\.0)) { keywords in
            withCStrings(parameters.map(\.1)) { values in
                PQconnectdbParams(keywords, values, 0)
            }
        }
        guard let connection else {
            throw DatabaseError(message: "libpq could not allocate a connection", isConnectionFailure: true)
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresConnectFailure.error(libpqMessage: message, settings: effective)
        }
        // libpq prints NOTICEs ("relation already exists, skipping") to stderr unless told otherwise.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        let opened = PostgresConnection(connection: connection, settings: settings, thread: thread)
        if settings.isSupavisor {
            opened.stopper.decide(pooled: true)
        } else if probing {
            opened.sendProbe()
        }
        return opened
    }

    deinit {
        PQfinish(connection)
    }

    /// A second connection with the same settings, to hold the migration lock in.
    public func openAnother() async throws -> (any DatabaseConnection)? {
        try await PostgresConnection.connect(settings)
    }

    public func execute(script: String, statementEnded: (@Sendable (Int) -> Void)?) async throws {
        try await onThread {
            try self.readProbeAlone()
            let statements = PostgresScriptSplitter.read(script)
            if PQtransactionStatus(self.connection) != PQTRANS_INTRANS {
                try self.sendOneByOne(script, statements, statementEnded: statementEnded)
            } else if statements.contains(where: { $0.changesParsing || $0.rows != nil }) {
                try self.sendInParts(script, statements, statementEnded: statementEnded)
            } else {
                // The server answers a statement at a time, in order: the k-th answer ends the k-th statement.
                let ends = statementEnded.map { _ in statements.filter { !$0.isShellCommand }.map(\.range.upperBound) }
                try self.sendWhole(script) { done in
                    if let statementEnded, let ends, !ends.isEmpty { statementEnded(ends[min(done, ends.count) - 1]) }
                }
            }
        }
    }

    /// `BEGIN` and the transaction's settings in one simple-query message: one round trip.
    public func beginTransaction(then setup: String?) async throws {
        try await onThread {
            try self.readProbeAlone()
            try self.sendWhole(([dialect.beginTransaction] + (setup.map { [$0] } ?? [])).joined(separator: ";\n"))
        }
    }

    public func query<Collector: SQLRowCollector>(
        _ sql: String, _ bindings: [SQLValue], into collector: Collector
    ) async throws -> Collector {
        try await onThread {
            var collector = collector
            let values = bindings.map(\.text)
            let sent = withOptionalCStrings(values) { pointers in
                PQsendQueryParams(self.connection, sql, Int32(values.count), nil, pointers, nil, nil, 0)
            }
            // The first query travels behind the probe, in the same round trip.
            func naming(_ failure: DatabaseError) -> DatabaseError {
                var failure = failure
                failure.statement = sql
                return failure
            }
            let pipelined = self.probePending
            if pipelined {
                PQpipelineSync(self.connection)
                do { try self.readProbe() } catch let failure as DatabaseError { throw naming(failure) }
            }
            guard sent == 1 else { throw naming(self.connectionFailure()) }
            // Rows come one result each and are collected as they arrive: 10,000 records are never held twice.
            PQsetSingleRowMode(self.connection)
            var types: [Oid]?
            var failure: DatabaseError?
            var ended = false
            while let result = PQgetResult(self.connection) {
                defer { PQclear(result) }
                let status = PQresultStatus(result)
                if status != PGRES_SINGLE_TUPLE { ended = true }
                if status == PGRES_SINGLE_TUPLE || status == PGRES_TUPLES_OK {
                    // Single-row mode gives a row per result and an empty one to end; without it, all in one.
                    let columns = types ?? PostgresRowReader.types(of: result)
                    types = columns
                    guard failure == nil else { continue }
                    for row in 0..<PQntuples(result) {
                        collector.collect(PostgresRowReader(result: result, rowIndex: row, types: columns))
                    }
                } else if failure == nil {
                    failure = self.failure(of: result)
                }
            }
            if pipelined { self.endPipeline() }
            if let failure { throw naming(failure) }
            // In pipeline mode a connection lost mid-query may end the results with no error result:
            // a query whose end never came failed, it did not return no rows.
            guard ended else { throw naming(self.connectionFailure()) }
            return collector
        }
    }

    // MARK: On the thread

    /// One simple-query message: one round trip; the results come back one per statement, so the
    /// number of results before the failure tells which statement failed when the server gives no position.
    ///
    /// - Parameter succeeded: called with the number of statements done, as each one's answer arrives.
    private func sendWhole(_ script: String, succeeded done: (Int) -> Void = { _ in }) throws {
        guard PQsendQuery(connection, script) == 1 else { throw connectionFailure() }
        var succeeded = 0
        var failure: DatabaseError?
        while let result = PQgetResult(connection) {
            defer { PQclear(result) }
            if PQresultStatus(result) == PGRES_COPY_IN {
                PQputCopyEnd(connection, "COPY FROM STDIN is not supported in migrations")
                continue
            }
            if let error = self.failure(of: result) {
                if failure == nil { failure = error }
            } else if failure == nil {
                succeeded += 1
                done(succeeded)
            }
        }
        guard var failure else { return }
        // A lost connection says nothing of how far the server got: no statement is named.
        guard !failure.isConnectionFailure else { throw failure }
        let statements = PostgresScriptSplitter.statements(in: script)
        let errorOffset = failure.errorOffset.flatMap { script.utf8Offset(ofCharacterPosition: $0) }
        let failed =
            errorOffset.flatMap { offset in statements.lastIndex { $0.lowerBound <= offset } }
            ?? (succeeded < statements.count ? succeeded : nil)
        failure.errorOffset = errorOffset
        if let failed {
            failure.statementOffset = statements[failed].lowerBound
            failure.statement = script.utf8Slice(statements[failed])
        }
        throw failure
    }

    /// The script in as few messages as the server can parse correctly: one ends after a statement that
    /// changes how the server reads the next ones (`SET standard_conforming_strings`), as psql sends one
    /// statement at a time; a `COPY … FROM STDIN` goes on its own, followed by its rows.
    private func sendInParts(_ script: String, _ statements: [ScriptStatement], statementEnded: (@Sendable (Int) -> Void)?) throws {
        var partStart: Int?
        func sendPart(upTo end: Int) throws {
            guard let start = partStart else { return }
            partStart = nil
            do {
                try sendWhole(script.utf8Slice(start..<end))
                statementEnded?(end)
            } catch var failure as DatabaseError where !failure.isConnectionFailure {
                failure.statementOffset = failure.statementOffset.map { $0 + start }
                failure.errorOffset = failure.errorOffset.map { $0 + start }
                throw failure
            }
        }
        for statement in statements where !statement.isShellCommand {
            if let rows = statement.rows {
                try sendPart(upTo: statement.range.lowerBound)
                try copyIn(script, statement, rows: rows)
                statementEnded?(statement.extent.upperBound)
                continue
            }
            if partStart == nil { partStart = statement.range.lowerBound }
            if statement.changesParsing { try sendPart(upTo: statement.extent.upperBound) }
        }
        try sendPart(upTo: script.utf8.count)
    }

    /// Runs a `COPY … FROM STDIN` through the COPY protocol, sending `rows` as its data; a bad row is
    /// named by its place in the script.
    private func copyIn(_ script: String, _ statement: ScriptStatement, rows: Range<Int>) throws {
        let sql = script.utf8Slice(statement.range)
        guard PQsendQuery(connection, sql) == 1 else { throw connectionFailure() }
        var failure: DatabaseError?
        var context: String?
        while let result = PQgetResult(connection) {
            defer { PQclear(result) }
            if PQresultStatus(result) == PGRES_COPY_IN {
                var script = script
                let sent = script.withUTF8 { bytes -> Bool in
                    var offset = rows.lowerBound
                    while offset < rows.upperBound {
                        let count = min(rows.upperBound - offset, 1 << 20)
                        let chunk = UnsafeRawPointer(bytes.baseAddress! + offset).assumingMemoryBound(to: CChar.self)
                        guard PQputCopyData(connection, chunk, Int32(count)) == 1 else { return false }
                        offset += count
                    }
                    return true
                }
                guard sent, PQputCopyEnd(connection, nil) == 1 else { throw connectionFailure() }
                continue
            }
            if failure == nil, let error = self.failure(of: result) {
                failure = error
                context = PQresultErrorField(result, Int32(UInt8(ascii: "W"))).map { String(cString: $0) }
            }
        }
        guard var failure else { return }
        guard !failure.isConnectionFailure else { throw failure }
        failure.statement = sql
        failure.statementOffset = statement.range.lowerBound
        failure.errorOffset = context.flatMap(PostgresConnection.copyLine).flatMap { line in
            script.utf8Offset(ofLine: line, within: rows)
        }
        throw failure
    }

    /// The row number in a COPY error's context (`COPY t, line 3, column b: "x"`).
    private static func copyLine(_ context: String) -> Int? {
        guard let marker = context.firstRange(of: ", line ") else { return nil }
        return Int(context[marker.upperBound...].prefix(while: \.isNumber))
    }

    /// Each statement on its own, in autocommit, as psql runs a file without `-1`.
    private func sendOneByOne(_ script: String, _ statements: [ScriptStatement], statementEnded: (@Sendable (Int) -> Void)?) throws {
        for statement in statements where !statement.isShellCommand {
            let range = statement.range
            if let rows = statement.rows {
                try copyIn(script, statement, rows: rows)
                statementEnded?(statement.extent.upperBound)
                continue
            }
            let statement = script.utf8Slice(range)
            let result = PQexec(connection, statement)
            defer { PQclear(result) }
            if var failure = failure(of: result) {
                failure.statement = statement
                failure.statementOffset = range.lowerBound
                failure.errorOffset = failure.errorOffset
                    .flatMap { statement.utf8Offset(ofCharacterPosition: $0) }
                    .map { range.lowerBound + $0 }
                throw failure
            }
            statementEnded?(range.upperBound)
        }
    }

    func failure(of result: OpaquePointer?) -> DatabaseError? {
        guard let result else { return connectionFailure() }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_OUT, PGRES_COPY_IN:
            return nil
        default:
            func field(_ code: Character) -> String? {
                PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
            }
            // A FATAL error ends the session (the server was shut down, the backend terminated), even when
            // libpq has not yet read the end of the connection. So does a connection exception (class 08):
            // PgBouncer answers "invalid server parameter" (08P01) when the server connection it was
            // handing over was ended under it.
            let severity = field("V")
            let lost = PQstatus(connection) != CONNECTION_OK || severity == "FATAL" || severity == "PANIC"
                || field("C")?.hasPrefix("08") == true
            let message = field("M") ?? String(cString: PQresultErrorMessage(result)).trimmingNewlines
            return DatabaseError(
                message: message, sqlState: field("C"), detail: field("D"), hint: field("H"),
                errorOffset: field("P").flatMap { Int($0) }, isConnectionFailure: lost,
                kind: PostgresDialect.kind(ofSQLState: field("C"), message: message))
        }
    }

    private func connectionFailure() -> DatabaseError {
        let reason = String(cString: PQerrorMessage(connection)).trimmingNewlines
        return DatabaseError(
            message: reason.isEmpty ? "the connection ended before the server's answer did" : settings.redact(reason),
            isConnectionFailure: true)
    }

    /// Runs `work` on the connection's thread; cancelling the calling task cancels the running statement.
    func onThread<T>(_ work: () throws -> T) async throws -> T {
        try await interrupter.run(on: thread) {
            if let givenUp { throw givenUp }
            return try work()
        }
    }

    /// Gives the connection up: shuts its socket (the server or pooler sees it closed at once) and fails
    /// every later call with `failure`.
    func give(up failure: DatabaseError) {
        givenUp = failure
        let socket = PQsocket(connection)
        if socket >= 0 { shutdown(socket, Int32(SHUT_RDWR)) }
    }
}

extension ScriptStatement {
    /// A `COPY … FROM STDIN`'s rows.
    var rows: Range<Int>? {
        if case .copyFromStdin(let rows) = kind { return rows }
        return nil
    }
}

extension String {
    /// The UTF-8 offset where the 1-based `line` of the lines in `range` starts.
    func utf8Offset(ofLine line: Int, within range: Range<Int>) -> Int? {
        guard line >= 1 else { return nil }
        var seen = 1
        var offset = range.lowerBound
        for byte in utf8.dropFirst(range.lowerBound).prefix(range.count) {
            if seen == line { return offset }
            offset += 1
            if byte == 0x0A { seen += 1 }
        }
        return seen == line && offset < range.upperBound ? offset : nil
    }

    /// PostgreSQL reports positions as 1-based character (code point) counts; this is the UTF-8 offset.
    func utf8Offset(ofCharacterPosition position: Int) -> Int? {
        let scalars = unicodeScalars
        guard position >= 1,
            let index = scalars.index(scalars.startIndex, offsetBy: position - 1, limitedBy: scalars.endIndex)
        else { return nil }
        return utf8.distance(from: utf8.startIndex, to: index)
    }
}

/// Calls `body` with a NULL-terminated array of C strings that live for the call.
func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return body(copies.map { UnsafePointer($0) } + [nil])
}

/// Like ``withCStrings`` but `nil` stays a NULL pointer (SQL `NULL` for libpq).
private func withOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { $0.map { strdup($0) } ?? nil }
    defer { copies.forEach { free($0) } }
    return body(copies.map { UnsafePointer($0) })
}
