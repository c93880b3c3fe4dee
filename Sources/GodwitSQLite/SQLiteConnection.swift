import CSQLite
import GodwitCore

/// A connection to a SQLite database file through the system's sqlite3 library.
///
/// ```swift
/// let connection = try await SQLiteConnection.open(path: "dev.sqlite3")
/// try await connection.execute(script: "CREATE TABLE t (id integer); CREATE INDEX t_id ON t (id);")
/// ```
///
/// - Throws: `DatabaseError` with SQLite's message, extended result code and the statement's offset.
public final class SQLiteConnection: DatabaseConnection, @unchecked Sendable {
    // @unchecked: the sqlite3 handle is touched only on `thread`, one call at a time.
    private let handle: OpaquePointer
    private let thread: ConnectionThread
    /// The file this connection opened.
    public let path: String
    public let dialect: any SQLDialect = SQLiteDialect()

    private let interrupter: StatementInterrupter

    /// The thread this connection's calls run on: a wait for another process's write lock blocks it, never
    /// a thread of Swift's cooperative pool.
    public var executor: (any TaskExecutor)? { thread }

    private init(handle: OpaquePointer, path: String, thread: ConnectionThread) {
        self.handle = handle
        self.path = path
        self.thread = thread
        // A cancelled task's statement ends with SQLITE_INTERRUPT.
        self.interrupter = StatementInterrupter(handle: handle) { sqlite3_interrupt($0) }
    }

    /// Opens (creating if needed) the database file at `path`.
    ///
    /// - Parameters:
    ///   - path: the database file.
    ///   - busyTimeout: how long to wait for another process's write lock before failing.
    public static func open(path: String, busyTimeout: Duration = .seconds(300)) async throws -> SQLiteConnection {
        let thread = ConnectionThread(label: "godwit.sqlite")
        return try await thread.run {
            var handle: OpaquePointer?
            let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
            let status = sqlite3_open_v2(path, &handle, flags, nil)
            guard status == SQLITE_OK, let handle else {
                let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
                sqlite3_close_v2(handle)
                throw DatabaseError(
                    message: "cannot open SQLite database '\(path)': \(message)", resultCode: status,
                    isConnectionFailure: true)
            }
            sqlite3_extended_result_codes(handle, 1)
            sqlite3_busy_timeout(handle, Int32(clamping: busyTimeout.milliseconds))
            return SQLiteConnection(handle: handle, path: path, thread: thread)
        }
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    public func execute(script: String, statementEnded: (@Sendable (Int) -> Void)?) async throws {
        try await onThread { try self.runScript(script, statementEnded: statementEnded) }
    }

    public func query<Collector: SQLRowCollector>(
        _ sql: String, _ bindings: [SQLValue], into collector: Collector
    ) async throws -> Collector {
        try await onThread { try self.runQuery(sql, bindings, into: collector) }
    }

    // MARK: On the thread

    /// Prepares and steps one statement after another, as the sqlite3 shell does.
    private func runScript(_ script: String, statementEnded: (@Sendable (Int) -> Void)?) throws {
        var script = script
        try script.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let start = SQLTrivia.skip(bytes, from: offset, rules: .sqlite)
                guard start < bytes.count else { return }
                var statement: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let sql = UnsafeRawPointer(base + start).assumingMemoryBound(to: CChar.self)
                let status = sqlite3_prepare_v2(handle, sql, Int32(bytes.count - start), &statement, &tail)
                let next = tail.map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? bytes.count
                guard status == SQLITE_OK else {
                    // A statement that fails to prepare ends where the shell would end it: at the `;` that
                    // completes it (else at the end of the failing line).
                    let rest = String(decoding: UnsafeBufferPointer(rebasing: bytes[start...]), as: UTF8.self)
                    var end: Int
                    if let first = SQLiteDialect().statements(in: rest).first {
                        end = start + first.range.upperBound
                    } else {
                        end = min(start + Int(max(sqlite3_error_offset(handle), 0)), bytes.count)
                        while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                    }
                    throw error(status, bytes: bytes, statementRange: start..<end)
                }
                guard let statement else {
                    offset = max(next, start + 1)
                    continue
                }
                defer { sqlite3_finalize(statement) }
                var step = sqlite3_step(statement)
                while step == SQLITE_ROW { step = sqlite3_step(statement) }
                guard step == SQLITE_DONE else {
                    throw error(step, bytes: bytes, statementRange: start..<next)
                }
                statementEnded?(next)
                offset = next
            }
        }
    }

    private func runQuery<Collector: SQLRowCollector>(
        _ sql: String, _ bindings: [SQLValue], into collector: Collector
    ) throws -> Collector {
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard status == SQLITE_OK, let statement else {
            throw error(status, statementText: sql)
        }
        defer { sqlite3_finalize(statement) }
        for (index, value) in bindings.enumerated() {
            let position = Int32(index + 1)
            switch value {
            case .null: sqlite3_bind_null(statement, position)
            case .integer(let integer): sqlite3_bind_int64(statement, position, integer)
            case .double(let double): sqlite3_bind_double(statement, position, double)
            case .text(let text): sqlite3_bind_text(statement, position, text, -1, SQLiteConnection.transient)
            }
        }
        var collector = collector
        let reader = SQLiteRowReader(statement: statement, columnCount: Int(sqlite3_column_count(statement)))
        var step = sqlite3_step(statement)
        while step == SQLITE_ROW {
            collector.collect(reader)
            step = sqlite3_step(statement)
        }
        guard step == SQLITE_DONE else { throw error(step, statementText: sql) }
        return collector
    }

    private func error(_ status: Int32, bytes: UnsafeBufferPointer<UInt8>, statementRange: Range<Int>) -> DatabaseError {
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[statementRange]), as: UTF8.self)
        var failure = error(status, statementText: text)
        failure.statementOffset = statementRange.lowerBound
        let within = sqlite3_error_offset(handle)
        failure.errorOffset = within >= 0 ? statementRange.lowerBound + Int(within) : nil
        return failure
    }

    private func error(_ status: Int32, statementText: String) -> DatabaseError {
        let trimmed = statementText.trimmingEnd { $0.isWhitespace || $0 == ";" }
        let code = sqlite3_extended_errcode(handle)
        let message = String(cString: sqlite3_errmsg(handle))
        let resultCode = code == SQLITE_OK ? status : code
        return DatabaseError(
            message: message, resultCode: resultCode, statement: String(trimmed),
            isConnectionFailure: [SQLITE_CANTOPEN, SQLITE_NOTADB, SQLITE_CORRUPT].contains(status & 0xFF),
            kind: SQLiteConnection.kind(of: resultCode, message: message))
    }

    /// What the engine must know about an error with SQLite's `resultCode` and `message`.
    private static func kind(of resultCode: Int32, message: String) -> DatabaseError.Kind? {
        switch resultCode & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED: .lockNotAvailable
        case SQLITE_INTERRUPT: .cancelled
        case SQLITE_FULL: .diskFull
        default: message.hasPrefix("no such table") ? .undefinedTable : nil
        }
    }

    /// Runs `work` on the connection's thread; cancelling the calling task interrupts the running statement.
    /// The engine runs on that thread while it migrates, so its calls are made there inline: SQLite works on
    /// a local file, and a hop to a thread and back costs more than most statements.
    private func onThread<T>(_ work: () throws -> T) async throws -> T {
        try await interrupter.run(on: thread, work)
    }

    /// SQLite copies bound text at once (`SQLITE_TRANSIENT`).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

