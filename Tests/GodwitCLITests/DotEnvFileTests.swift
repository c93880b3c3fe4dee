@testable import GodwitConfiguration
import GodwitCore
import Testing

@Suite(".env files")
struct DotEnvFileTests {
    @Test("comments, export, quotes and escapes, as dotenv reads them")
    func parsing() async throws {
        let file = try DotEnvFile(parsing: """
            # Database
            SUPABASE_DB_HOST=db.example.supabase.co
            export SUPABASE_DB_PORT = 5432
            SUPABASE_DB_PASSWORD="p@ss:w/rd?#%\\"x"
            LITERAL='a $b \\n'
            TRAILING=value # a comment
            EMPTY=
            SUPABASE_DB_HOST=later-wins
            """, path: ".env")
        #expect(file.variables == [
            "SUPABASE_DB_HOST": "later-wins", "SUPABASE_DB_PORT": "5432", "SUPABASE_DB_PASSWORD": "p@ss:w/rd?#%\"x",
            "LITERAL": "a $b \\n", "TRAILING": "value", "EMPTY": "",
        ])
    }

    @Test("a malformed line is refused with the file and line", arguments: [
        ("A=1\nnot a variable\n", ".env:2: expected KEY=value"),
        ("A=\"unterminated\n", ".env:1: the value's closing \" is missing"),
        ("BAD KEY=1\n", ".env:1: 'BAD KEY' is not a variable name"),
    ])
    func malformed(text: String, expected: String) {
        let error = #expect(throws: GodwitError.self) { try DotEnvFile(parsing: text, path: ".env") }
        #expect(error?.summary == expected)
    }

    @Test("any value written with quoted(_:) reads back as it was; CR and CRLF end lines as LF does", arguments: [
        "plain", "", "p@ss:w/rd?#%\"x'y", "two\nlines\r\nand\ta tab", "back\\slash\\", " spaced # not a comment ",
        "\u{301}combining first", "ends with a combining mark e\u{301}", "\u{2028}line separator\u{85}", "emoji 👩‍💻",
    ])
    func quoting(value: String) throws {
        let file = try DotEnvFile(parsing: "A=1\rVALUE=\(DotEnvFile.quoted(value))\r\nB=2", path: ".env")
        #expect(file.variables == ["A": "1", "VALUE": value, "B": "2"])
    }
}
