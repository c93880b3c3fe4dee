import CSQLite
import GodwitCore

/// SQLite's SQL, and the tracking tables exactly as Knex's sqlite3 client creates them.
public struct SQLiteDialect: SQLDialect {
    /// Creates the dialect.
    public init() {}

    public var name: String { "SQLite" }

    public var family: DatabaseFamily { .sqlite }

    public func placeholder(_ position: Int) -> String { "?\(position)" }

    /// `?`: SQLite finds each `?NNN` in a list of the statement's numbered parameters, one by one, which
    /// cost a 1,000-migration batch's 999-value inserts 4% of the run.
    public func placeholderInOrder(_ position: Int) -> String { "?" }

    /// `BEGIN IMMEDIATE`: the write lock is taken at once, so a second runner waits (busy timeout) instead of
    /// failing later when it tries to write.
    public var beginTransaction: String { "BEGIN IMMEDIATE" }

    /// Knex's DDL; SQLite has no schemas (the command line refuses one).
    public func createTrackingTables(migrations: TableName, lock: TableName) -> [String] {
        [
            "CREATE TABLE IF NOT EXISTS `\(migrations.name)` (`id` integer not null primary key autoincrement, `name` varchar(255), `batch` integer, `migration_time` datetime)",
            "CREATE TABLE IF NOT EXISTS `\(lock.name)` (`index` integer not null primary key autoincrement, `is_locked` integer)",
        ]
    }

    /// Knex stores epoch milliseconds; a row written as text by another tool is converted.
    public func migrationTimeAsEpochSeconds(column: String) -> String {
        "CASE WHEN typeof(\(column)) = 'integer' THEN \(column) / 1000.0 ELSE CAST(strftime('%s', \(column)) AS INTEGER) END"
    }

    public func migrationTimeValue(epochMilliseconds: Int64) -> SQLValue { .integer(epochMilliseconds) }

    /// Inside `BEGIN IMMEDIATE` the write lock already excludes every other writer: a plain read suffices.
    public func lockRowQuery(lockTable: TableName) -> String {
        "SELECT \"is_locked\" FROM \(lockTable.quoted(in: self))"
    }

    /// `PRAGMA foreign_keys`, the usual reason for `transaction:false` on SQLite, does nothing inside a
    /// transaction: statements run alone.
    public var wrapsStatementsOutsideTransactions: Bool { false }

    /// SQLite has no table locks to time out (its busy timeout covers the database lock), and a killed
    /// process's transaction ends with it.
    public func transactionSettings(lockTimeoutMilliseconds: Int?, idleLimitMilliseconds: Int) -> String? { nil }

    /// SQLite keeps no record of lock holders; the runner lock file names the holder instead.
    public var lockHolderQuery: String? { nil }

    public var currentEpochMilliseconds: String { "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)" }

    /// Splits where the sqlite3 shell would run a statement: at a `;` that ends a complete statement
    /// (`sqlite3_complete`), so a trigger's inner `;` do not split it. A line that starts with `.` where a
    /// statement would start is one of the shell's dot-commands. Comments and white space as SQLite reads
    /// them: a block comment ends at its first `*/`, a vertical tab is white space.
    public func statements(in script: String) -> [ScriptStatement] {
        var result: [ScriptStatement] = []
        let bytes = Array(script.utf8)
        bytes.withUnsafeBufferPointer { bytes in
            var start = SQLTrivia.skip(bytes, from: 0, rules: .sqlite)
            while start < bytes.count {
                if bytes[start] == UInt8(ascii: ";") {
                    start = SQLTrivia.skip(bytes, from: start + 1, rules: .sqlite)
                    continue
                }
                if bytes[start] == UInt8(ascii: ".") {
                    var end = start
                    while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                    result.append(SQLiteDialect.dotCommand(bytes, start..<end))
                    start = SQLTrivia.skip(bytes, from: end, rules: .sqlite)
                    continue
                }
                // The statement ends before the `;` that completes it (else at the end of the script).
                var end = bytes.count
                var next = bytes.count
                var index = start
                while index < bytes.count {
                    if bytes[index] == UInt8(ascii: ";"), SQLiteDialect.isComplete(bytes[start...index]) {
                        (end, next) = (index, index + 1)
                        break
                    }
                    index += 1
                }
                while end > start, [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains(bytes[end - 1]) { end -= 1 }
                result.append(SQLiteDialect.classify(bytes, start..<end))
                start = SQLTrivia.skip(bytes, from: next, rules: .sqlite)
            }
        }
        return result
    }

    private static func isComplete(_ candidate: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        let terminated = Array(candidate) + [0]
        return terminated.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { sqlite3_complete($0.baseAddress!) != 0 }
        }
    }

    private static func classify(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> ScriptStatement {
        let tokens = SQLTokens.leading(UnsafeBufferPointer(rebasing: bytes[range]), limit: 6)
        var statement = ScriptStatement(range: range)
        if let control = SQLTokens.transactionControl(tokens) {
            statement.kind = .transactionControl(control)
        } else if tokens.first == "copy" {
            statement.kind = .unsupported(
                reason: "COPY is PostgreSQL's (with psql, its rows follow it in the file); SQLite has no COPY: write the rows as INSERT statements")
        }
        return statement
    }

    /// A dot-command and whether leaving it out is harmless: `.bail on` (Godwit always stops at the first
    /// error).
    private static func dotCommand(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> ScriptStatement {
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        let words = text.split(whereSeparator: \.isWhitespace)
        let name = words.first.map(String.init) ?? "."
        let harmless = name == ".bail" && words.dropFirst().first.map { ["on", "1", "yes", "true"].contains($0.lowercased()) } == true
        return ScriptStatement(range: range, kind: .shellCommand(name: name, harmless: harmless))
    }
}
