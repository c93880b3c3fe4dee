import GodwitCore
import GodwitPostgres
import GodwitSQLite
import Testing

/// What each dialect finds in a script before anything is sent: shell commands, COPY rows, transaction
/// statements, and statements that change the session or how the rest is read.
@Suite("Reading scripts as psql and sqlite3 read them")
struct ScriptReadingTests {
    func read(_ script: String, _ dialect: any SQLDialect = PostgresDialect()) -> [(text: String, statement: ScriptStatement)] {
        dialect.statements(in: script).map { (script.utf8Slice($0.range), $0) }
    }

    @Test("psql meta-commands are found outside quotes, to the end of their line; only \\restrict and \\unrestrict are harmless")
    func metaCommands() {
        let pieces = read("\\restrict abc123\nSELECT '\\x';\n\\set name 'value'\nSELECT :'name';\n\\unrestrict abc123\n")
        #expect(pieces.map(\.text) == ["\\restrict abc123", "SELECT '\\x'", "\\set name 'value'", "SELECT :'name'", "\\unrestrict abc123"])
        #expect(pieces.map(\.statement.kind) == [
            .shellCommand(name: "\\restrict", harmless: true), .sql, .shellCommand(name: "\\set", harmless: false), .sql,
            .shellCommand(name: "\\unrestrict", harmless: true),
        ])
        #expect(PostgresScriptSplitter.statements(in: "\\restrict k\nSELECT 1;\n") == [12..<20])
    }

    @Test("COPY … FROM STDIN takes the lines after it up to \\. as its rows, and reading goes on after them")
    func copyRows() {
        let script = "COPY t (a, b) FROM stdin;\n1\tone;\n2\ttwo\n\\.\nSELECT 2;\ncopy u from STDIN with (format csv);\n3,x\n"
        let pieces = read(script)
        #expect(pieces.map(\.text) == ["COPY t (a, b) FROM stdin", "SELECT 2", "copy u from STDIN with (format csv)"])
        guard case .copyFromStdin(let rows) = pieces[0].statement.kind else {
            Issue.record("not a COPY: \(pieces[0].statement.kind)")
            return
        }
        #expect(script.utf8Slice(rows) == "1\tone;\n2\ttwo\n")
        #expect(script.utf8Slice(pieces[0].statement.extent) == "COPY t (a, b) FROM stdin;\n1\tone;\n2\ttwo\n\\.\n")
        guard case .copyFromStdin(let last) = pieces[2].statement.kind else {
            Issue.record("not a COPY: \(pieces[2].statement.kind)")
            return
        }
        #expect(script.utf8Slice(last) == "3,x\n", "rows run to the end without a \\. line")
        #expect(read("COPY t TO STDOUT; SELECT 1").map(\.statement.kind) == [.sql, .sql])
        if case .unsupported = read("COPY t FROM stdin; SELECT 1;\n1\n\\.\n")[0].statement.kind {} else {
            Issue.record("text after COPY … FROM stdin; on its line must be refused")
        }
    }

    @Test("SET standard_conforming_strings = off makes a backslash escape a quote, and ends the message")
    func standardConformingStrings() {
        let pieces = read("SET standard_conforming_strings = off;\nINSERT INTO t VALUES ('it\\'s; one');\nSET standard_conforming_strings TO 'on';\nSELECT 'a\\';")
        #expect(pieces.map(\.text) == [
            "SET standard_conforming_strings = off", "INSERT INTO t VALUES ('it\\'s; one')",
            "SET standard_conforming_strings TO 'on'", "SELECT 'a\\'",
        ])
        #expect(pieces.map(\.statement.changesParsing) == [true, false, true, false])
        #expect(read("SET standard_conforming_strings = on; SELECT 1").map(\.statement.changesParsing) == [false, false])
    }

    @Test("transaction statements: what Godwit can take into its own transaction, and what it cannot", arguments: [
        ("BEGIN", ScriptStatement.Kind.transactionControl(.begin)),
        ("begin transaction", .transactionControl(.begin)),
        ("START TRANSACTION", .transactionControl(.begin)),
        ("BEGIN ISOLATION LEVEL SERIALIZABLE", .transactionControl(.other)),
        ("COMMIT", .transactionControl(.commit)),
        ("END WORK", .transactionControl(.commit)),
        ("COMMIT AND CHAIN", .transactionControl(.other)),
        ("ROLLBACK", .transactionControl(.other)),
        ("ABORT", .transactionControl(.other)),
        ("PREPARE TRANSACTION 'x'", .transactionControl(.other)),
        ("ROLLBACK TO SAVEPOINT a", .sql),
        ("SAVEPOINT a", .sql),
        ("PREPARE q AS SELECT 1", .sql),
        ("START something", .sql),
    ])
    func transactionControl(statement: String, kind: ScriptStatement.Kind) {
        #expect(read(statement + ";").map(\.statement.kind) == [kind])
    }

    @Test("statements that change the session's settings are marked, and no others")
    func sessionChanges() {
        let pieces = read("""
            SELECT pg_catalog.set_config('search_path', '', false);
            SET search_path TO app, public;
            RESET ALL;
            SET LOCAL lock_timeout = '1s';
            SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;
            SET CONSTRAINTS ALL DEFERRED;
            ALTER TABLE t ALTER COLUMN c SET DEFAULT 1;
            """)
        #expect(pieces.map(\.statement.changesSession) == [true, true, true, true, false, false, false])
    }

    @Test("sqlite3: dot-commands where a statement starts (only .bail on is harmless), BEGIN/COMMIT TRANSACTION, no COPY")
    func sqlite() {
        let dialect = SQLiteDialect()
        let pieces = read(".bail on\nCREATE TABLE t (a);\nCOMMIT TRANSACTION;\n.mode csv\nBEGIN TRANSACTION;\nSELECT '.x';\nCOPY t FROM stdin;", dialect)
        #expect(pieces.map(\.text) == [".bail on", "CREATE TABLE t (a)", "COMMIT TRANSACTION", ".mode csv", "BEGIN TRANSACTION", "SELECT '.x'", "COPY t FROM stdin"])
        #expect(pieces[0].statement.kind == .shellCommand(name: ".bail", harmless: true))
        #expect(pieces[2].statement.kind == .transactionControl(.commit))
        #expect(pieces[3].statement.kind == .shellCommand(name: ".mode", harmless: false))
        #expect(pieces[4].statement.kind == .transactionControl(.begin))
        #expect(pieces[5].statement.kind == .sql)
        guard case .unsupported(let reason) = pieces[6].statement.kind else {
            Issue.record("COPY must be refused on SQLite: \(pieces[6].statement.kind)")
            return
        }
        #expect(reason.contains("INSERT"))
        #expect(read("BEGIN IMMEDIATE TRANSACTION; ROLLBACK TRANSACTION TO a;", dialect).map(\.statement.kind)
            == [.transactionControl(.begin), .sql])
    }
}
