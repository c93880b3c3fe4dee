/// One statement of a migration script, found where the database's own shell (psql, sqlite3) finds it,
/// with what the engine must know before it sends anything.
///
/// A dialect reads a script into these (``SQLDialect/statements(in:)``); the engine refuses what cannot
/// run as the shell would run it, before anything runs, and the driver sends the rest.
public struct ScriptStatement: Sendable, Equatable {
    /// What the statement is, as far as running it goes.
    public enum Kind: Sendable, Equatable {
        /// Plain SQL.
        case sql
        /// A statement that begins, ends or prepares a transaction (`BEGIN`, `COMMIT`, `ROLLBACK`, …); a
        /// savepoint's `SAVEPOINT`, `RELEASE` and `ROLLBACK TO` are plain SQL.
        case transactionControl(TransactionControl)
        /// A shell's own command (psql's `\set`, sqlite3's `.bail on`), which is not SQL: `harmless` when
        /// leaving it out changes nothing a migration does (psql's `\restrict`, sqlite3's `.bail on`).
        case shellCommand(name: String, harmless: Bool)
        /// `COPY … FROM STDIN` with its rows in the script, on the lines after it up to a `\.` line (or
        /// the end): `rows` are their bytes, each line ending with its line feed.
        case copyFromStdin(rows: Range<Int>)
        /// Something this database cannot run as the shell would; `reason` says what and what to do.
        case unsupported(reason: String)
    }

    /// The transaction statements: those Godwit can take into its own transaction, and the rest.
    public enum TransactionControl: Sendable, Equatable {
        /// `BEGIN` or `START TRANSACTION` with nothing that Godwit's transaction would not keep (an
        /// isolation level would be lost).
        case begin
        /// `COMMIT` or `END`, plain.
        case commit
        /// Any other: `ROLLBACK`, `ABORT`, `BEGIN ISOLATION LEVEL …`, `COMMIT AND CHAIN`, `PREPARE
        /// TRANSACTION`, `COMMIT PREPARED`.
        case other
    }

    /// The statement's text (UTF-8 offsets in the script), without its `;`, leading comments or white space.
    public var range: Range<Int>
    /// What it is.
    public var kind: Kind
    /// Everything the statement takes in the script: its text, and a `COPY`'s rows through the line that
    /// ends them.
    public var extent: Range<Int>
    /// Whether the statements after it are read differently once it has run (`SET
    /// standard_conforming_strings`): they must reach the server in a later message.
    public var changesParsing: Bool
    /// Whether it changes the session's settings (`SET`, `RESET`, `set_config`), which psql would drop
    /// with the session at the end of the file.
    public var changesSession: Bool

    /// Creates a statement; `extent` defaults to `range`.
    public init(
        range: Range<Int>, kind: Kind = .sql, extent: Range<Int>? = nil, changesParsing: Bool = false,
        changesSession: Bool = false
    ) {
        self.range = range
        self.kind = kind
        self.extent = extent ?? range
        self.changesParsing = changesParsing
        self.changesSession = changesSession
    }

    /// Whether it is a shell command rather than something sent to the database.
    public var isShellCommand: Bool {
        if case .shellCommand = kind { return true }
        return false
    }
}
