import GodwitCore
import GodwitPostgres
import Testing

@Suite("dbmate-format SQL files")
struct SQLMigrationFileTests {
    func parse(_ text: String) throws -> Migration {
        try SQLMigrationFile.parse(text, name: "001_x.sql", path: "migrations/001_x.sql")
    }

    @Test("up and down sections, their first lines, and transaction:false")
    func sections() throws {
        let migration = try parse("-- a header comment\n\n-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- migrate:down\nDROP INDEX i;\n")
        #expect(migration.up.sql == "CREATE INDEX CONCURRENTLY i ON t (a);")
        #expect(migration.up.firstLine == 4)
        #expect(!migration.up.runsInTransaction)
        #expect(migration.down?.sql.hasPrefix("DROP INDEX i;") == true)
        #expect(migration.down?.firstLine == 6)
        #expect(migration.down?.runsInTransaction == true)
    }

    @Test("CRLF line endings are read like LF")
    func crlf() throws {
        let migration = try parse("-- migrate:up\r\nSELECT 1;\r\nSELECT 2;\r\n-- migrate:down\r\nSELECT 3;\r\n")
        #expect(migration.up.sql == "SELECT 1;\nSELECT 2;")
        #expect(migration.down?.firstLine == 5)
    }

    @Test("a file without down section is irreversible, not invalid")
    func noDown() throws {
        let migration = try parse("-- migrate:up\nSELECT 1;\n")
        #expect(migration.down == nil)
    }

    @Test("malformed files are refused with the file and line", arguments: [
        ("SELECT 1;\n-- migrate:up\n", "migrations/001_x.sql:1: SQL before the '-- migrate:up' marker"),
        ("-- migrate:down\nSELECT 1;\n", "migrations/001_x.sql: no '-- migrate:up' marker"),
        ("-- migrate:up\n-- migrate:up\n", "migrations/001_x.sql:2: a second '-- migrate:up' marker"),
        ("-- migrate:up transaction:maybe\n", "migrations/001_x.sql:1: unknown option 'transaction:maybe'"),
        ("-- migrate:sideways\n", "migrations/001_x.sql:1: unknown marker '-- migrate:sideways'"),
    ])
    func malformed(text: String, expected: String) throws {
        let error = try #require(throws: GodwitError.self) { try parse(text) }
        #expect(error.code == .invalidMigrationFile)
        #expect(error.summary.contains(expected), "\(error.summary)")
    }

    @Test("the checksum is SHA-256 of the text with whitespace runs made one space: databases keep it, so it never changes")
    func checksum() throws {
        // sha256("a b"), as `printf 'a b' | sha256sum` prints it.
        let expected = "c8687a08aa5d6ed2044328fa6a697ab8e96dc34291e8c2034ae8c38e6fcc6d65"
        #expect(try MigrationChecksum.of("  a \r\n\tb \n").hex == expected)
        #expect(try MigrationChecksum.of("a\n\n  b").hex == expected)
        #expect(try MigrationChecksum.of("a  c").hex != expected)
        // Kept as hex in the tracking table, read back (in either case) as the same checksum.
        #expect(try MigrationChecksum(hex: expected) == MigrationChecksum.of("a b"))
        #expect(try MigrationChecksum(hex: expected.uppercased()) == MigrationChecksum.of("a b"))
        #expect(MigrationChecksum(hex: "edited") == nil)
        #expect(MigrationChecksum(hex: String(expected.dropLast()) + "g") == nil)
        let file = "-- migrate:up\r\nSELECT 'é';\r\n"
        #expect(try parse(file).checksum == MigrationChecksum.of("-- migrate:up\nSELECT 'é';"))
    }

    @Test("a UTF-8 offset maps to the file's line and column")
    func location() {
        let script = MigrationScript(sql: "SELECT 1;\n  SELECT é;", firstLine: 7)
        #expect(script.location(ofUTF8Offset: 0) == (7, 1))
        #expect(script.location(ofUTF8Offset: 12) == (8, 3))
        #expect(script.location(ofUTF8Offset: 21) == (8, 11))
    }
}

@Suite("psql-compatible statement splitting")
struct PostgresScriptSplitterTests {
    func split(_ script: String) -> [String] {
        PostgresScriptSplitter.statements(in: script).map { range in
            String(decoding: Array(script.utf8)[range], as: UTF8.self)
        }
    }

    @Test("splits where psql splits", arguments: [
        ("SELECT 1; SELECT 2;", ["SELECT 1", "SELECT 2"]),
        ("SELECT ';' ; SELECT \"a;b\"", ["SELECT ';'", "SELECT \"a;b\""]),
        ("SELECT 'it''s;'; SELECT 2", ["SELECT 'it''s;'", "SELECT 2"]),
        ("SELECT E'\\';'; SELECT 2", ["SELECT E'\\';'", "SELECT 2"]),
        ("SELECT $$a;b$$; SELECT $t$ $$; $t$;", ["SELECT $$a;b$$", "SELECT $t$ $$; $t$"]),
        ("SELECT $1; SELECT a$b;", ["SELECT $1", "SELECT a$b"]),
        ("-- c;\nSELECT 1; /* x; /* y; */ z; */ SELECT 2", ["SELECT 1", "SELECT 2"]),
        ("CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 1 END; END; SELECT 3",
         ["CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 1 END; END", "SELECT 3"]),
        ("CREATE OR REPLACE PROCEDURE p() BEGIN ATOMIC SELECT 1; END;", ["CREATE OR REPLACE PROCEDURE p() BEGIN ATOMIC SELECT 1; END"]),
        ("BEGIN; SELECT 1; END;", ["BEGIN", "SELECT 1", "END"]),
        ("SELECT (1; 2); SELECT 3", ["SELECT (1; 2)", "SELECT 3"]),
        (";; -- only comments\n", []),
    ])
    func splits(script: String, expected: [String]) {
        #expect(split(script) == expected)
    }
}
