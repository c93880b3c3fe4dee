import GodwitCore
import GodwitPostgres
import GodwitSQLite
import GodwitTestSupport
import Testing

/// Bugs the fuzz targets (Fuzz/, scripts/fuzz.sh) found, each as a user would meet it; their reproducers
/// are replayed by every fuzz run from Fuzz/Regressions.
@Suite("What fuzzing found")
struct FuzzFindingsTests {
    func texts(_ script: String, _ dialect: any SQLDialect) -> [String] {
        dialect.statements(in: script).map { script.utf8Slice($0.range) }
    }

    @Test("SQLite: a block comment ends at its first */ (comments do not nest there), and the statement after it runs")
    func sqliteCommentsDoNotNest() async throws {
        let script = "/* outer /* inner */ CREATE TABLE after_comment (id integer);\n"
        #expect(texts(script, SQLiteDialect()) == ["CREATE TABLE after_comment (id integer)"])
        let database = try await TestDatabase.make(.sqlite)
        let connection = try await database.connect()
        try await connection.execute(script: script)
        #expect(try await database.hasTable("after_comment", on: connection), "sqlite3 runs it: so must Godwit")
        // PostgreSQL nests them: the same text is one comment there.
        #expect(texts(script, PostgresDialect()).isEmpty)
    }

    @Test("SQLite: a statement's text ends before its ;, as on PostgreSQL; a vertical tab is white space")
    func sqliteStatementText() {
        #expect(texts("CREATE TABLE a (x) ;\u{0B}\nINSERT INTO a VALUES (1);", SQLiteDialect()) == [
            "CREATE TABLE a (x)", "INSERT INTO a VALUES (1)",
        ])
    }

    @Test("PostgreSQL: a carriage return ends a -- comment, as the server and psql read it", arguments: [DatabaseKind.postgres, .pgbouncer])
    func carriageReturnEndsComment(kind: DatabaseKind) async throws {
        let script = "-- made on an old Mac\rCREATE TABLE after_cr (id int);\r-- done\r"
        #expect(texts(script, PostgresDialect()) == ["CREATE TABLE after_cr (id int)"])
        let database = try await TestDatabase.make(kind)
        let connection = try await database.connect()
        // Outside a transaction each statement travels alone, as the split found it.
        try await connection.execute(script: script)
        #expect(try await database.hasTable("after_cr", on: connection))
    }

    @Test("a psql meta-command inside a statement is refused with the statement, not run apart from it")
    func metaCommandInsideStatement() {
        let script = "SELECT 1\n\\set x 1\nFROM t;\nSELECT 2;"
        let statements = PostgresDialect().statements(in: script)
        #expect(statements.map { script.utf8Slice($0.range) } == ["SELECT 1\n\\set x 1\nFROM t", "SELECT 2"])
        guard case .unsupported(let reason) = statements.first?.kind else {
            Issue.record("not refused: \(String(describing: statements.first?.kind))")
            return
        }
        #expect(reason.contains("\\set"))
    }

    @Test("a dbmate section whose lines end in CR CR LF has LF line ends only")
    func carriageReturns() throws {
        let migration = try SQLMigrationFile.parse(
            "-- migrate:up\r\nCREATE TABLE a (id int);\r\r\nCREATE TABLE b (id int);\r\n", name: "001_a.sql", path: "001_a.sql")
        #expect(migration.up.sql == "CREATE TABLE a (id int);\n\nCREATE TABLE b (id int);\n")
    }

    @Test("a password before an @ that a combining mark follows is still masked in every message")
    func passwordBeforeCombiningMark() {
        let url = "postgres://app:Secret-9921@\u{301}db.example.com/app"
        #expect(!PostgresConnectionSettings.redact(url: url).contains("Secret-9921"))
        do {
            let settings = try PostgresConnectionSettings(url: url)
            #expect(!settings.description.contains("Secret-9921"))
        } catch {
            #expect(!String(describing: error).contains("Secret-9921"), "\(error)")
        }
    }
}
