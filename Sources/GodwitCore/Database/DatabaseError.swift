/// A failure reported by a database or its driver, with what the database itself said.
///
/// Drivers fill in what they know; the engine adds the migration file and location (``GodwitError``).
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    /// The database's own message (PostgreSQL's primary message, SQLite's `sqlite3_errmsg`).
    public var message: String
    /// PostgreSQL's SQLSTATE (`42P01`), when the server sent one.
    public var sqlState: String?
    /// SQLite's extended result code, when the error came from SQLite.
    public var resultCode: Int32?
    /// The server's detail line, if any.
    public var detail: String?
    /// The server's hint line, if any.
    public var hint: String?
    /// The failing statement's text, trimmed.
    public var statement: String?
    /// The UTF-8 offset in the script where the failing statement starts.
    public var statementOffset: Int?
    /// The UTF-8 offset in the script that the database pointed at (PostgreSQL's error position).
    public var errorOffset: Int?
    /// Whether the connection itself failed (lost, refused, authentication): nothing more can be sent on it.
    public var isConnectionFailure: Bool
    /// Why a connection could not be opened, when the driver recognised it.
    public var connectionProblem: ConnectionProblem?
    /// What the engine must know about the failure, as the driver classified it where it built the error
    /// (from PostgreSQL's SQLSTATE, SQLite's result code); `nil`: nothing the engine treats apart.
    public var kind: Kind?

    /// The failures the engine treats apart.
    public enum Kind: Sendable, Equatable {
        /// A table the statement names does not exist (PostgreSQL's 42P01; SQLite's `no such table`).
        case undefinedTable
        /// A lock could not be had in time (PostgreSQL's `lock_not_available`, 55P03; SQLite's
        /// `SQLITE_BUSY` / `SQLITE_LOCKED`).
        case lockNotAvailable
        /// The statement was stopped on request (PostgreSQL's `query_canceled`, 57014, after `PQcancel`;
        /// SQLite's `SQLITE_INTERRUPT`).
        case cancelled
        /// The statement cannot run inside a transaction block and did nothing (PostgreSQL's 25001).
        case refusedInTransaction
        /// An enum value was used in the transaction that added it (PostgreSQL's 55P04).
        case uncommittedEnumValue
        /// The server stopped the statement at its `statement_timeout` (PostgreSQL's 57014, "canceling
        /// statement due to statement timeout"): a setting of the role or database, not Godwit's doing.
        case statementTimeout
        /// The database has no room left to write (PostgreSQL's `disk_full`, 53100, "could not extend file
        /// …: No space left on device"; SQLite's `SQLITE_FULL`).
        case diskFull
    }

    /// Creates an error from what the database reported.
    public init(
        message: String, sqlState: String? = nil, resultCode: Int32? = nil, detail: String? = nil,
        hint: String? = nil, statement: String? = nil, statementOffset: Int? = nil, errorOffset: Int? = nil,
        isConnectionFailure: Bool = false, connectionProblem: ConnectionProblem? = nil, kind: Kind? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.resultCode = resultCode
        self.detail = detail
        self.hint = hint
        self.statement = statement
        self.statementOffset = statementOffset
        self.errorOffset = errorOffset
        self.isConnectionFailure = isConnectionFailure
        self.connectionProblem = connectionProblem
    }

    /// The message as the database's own shell would print it, with its code.
    public var description: String {
        var text = message
        if let sqlState { text = "\(text) (SQLSTATE \(sqlState))" }
        if let resultCode { text = "\(text) (SQLite result code \(resultCode))" }
        if let detail { text += "\nDETAIL: \(detail)" }
        if let hint { text += "\nHINT: \(hint)" }
        return text
    }
}

extension DatabaseError {
    /// The same error with its offsets moved by `base`: for a statement run out of a larger script, or
    /// (negative) back into one of several scripts sent together.
    func shifted(by base: Int) -> DatabaseError {
        guard base != 0 else { return self }
        var shifted = self
        shifted.statementOffset = base < 0 ? statementOffset.map { $0 + base } : (statementOffset ?? 0) + base
        shifted.errorOffset = errorOffset.map { $0 + base }
        return shifted
    }

    /// The detail line that quotes it: `database error: …`, or `connection error: …` for a lost or
    /// refused connection.
    package var detailLine: String {
        "\(isConnectionFailure ? "connection" : "database") error: \(self)"
    }
}
