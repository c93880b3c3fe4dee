import Foundation
import GodwitCore
import GodwitTestSupport
import Testing

@Suite("the migrations folder")
struct MigrationDirectoryTests {
    func folder(_ files: [String: Data]) throws -> String {
        let url = try TestFolder.make().appendingPathComponent("migrations")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, data) in files { try data.write(to: url.appendingPathComponent(name)) }
        return url.path
    }

    let valid = Data(sqlMigration(up: "SELECT 1;").utf8)

    @Test("reads .sql files in byte order; other extensions and hidden files are ignored")
    func order() throws {
        let path = try folder([
            "20240101000000_b.sql": valid, "002_a.sql": valid, "001_initial_schema.sql": valid,
            "001_initial_schema.ts": Data("export {}".utf8), ".hidden.sql": valid, "README.md": Data("#".utf8),
        ])
        #expect(try MigrationDirectory(path: path).load().map(\.name) == ["001_initial_schema.sql", "002_a.sql", "20240101000000_b.sql"])
    }

    @Test("refuses a non-UTF-8 file, naming it")
    func notUTF8() throws {
        let path = try folder(["001_bad.sql": Data([0x2D, 0x2D, 0xFF, 0xFE])])
        let error = try #require(throws: GodwitError.self) { try MigrationDirectory(path: path).load() }
        #expect(error.summary == "invalid migration file \(path)/001_bad.sql: the file is not UTF-8 text")
    }

    @Test("refuses a missing folder and a folder that is a file")
    func missingOrFile() throws {
        let missing = try #require(throws: GodwitError.self) { try MigrationDirectory(path: "/nonexistent/migrations").load() }
        #expect(missing.code == .migrationsDirectoryMissing)
        let file = try folder(["x.sql": valid]) + "/x.sql"
        let error = try #require(throws: GodwitError.self) { try MigrationDirectory(path: file).load() }
        #expect(error.code == .migrationsDirectoryIsFile)
    }

    @Test("a large folder is read on all cores; the first bad file in name order is the one named")
    func largeFolder() throws {
        var files: [String: Data] = [:]
        for index in 1...1_000 {
            files[String(format: "%04d_m.sql", index)] = Data(sqlMigration(up: "SELECT \(index);").utf8)
        }
        let path = try folder(files)
        let loaded = try MigrationDirectory(path: path).load()
        #expect(loaded.count == 1_000)
        #expect(loaded.map(\.name) == (1...1_000).map { String(format: "%04d_m.sql", $0) })
        #expect(loaded[699].up.sql == "SELECT 700;")
        // Two bad files, in different workers' shares: the earlier name is reported.
        try Data("SELECT 1;".utf8).write(to: URL(fileURLWithPath: path + "/0900_m.sql"))
        try Data([0xFF]).write(to: URL(fileURLWithPath: path + "/0300_m.sql"))
        let error = try #require(throws: GodwitError.self) { try MigrationDirectory(path: path).load() }
        #expect(error.summary == "invalid migration file \(path)/0300_m.sql: the file is not UTF-8 text")
    }

    @Test("a folder entry that cannot be read as a file is named")
    func unreadableEntry() throws {
        let path = try folder(["001_a.sql": valid])
        try FileManager.default.createDirectory(atPath: path + "/002_b.sql", withIntermediateDirectories: false)
        let error = try #require(throws: GodwitError.self) { try MigrationDirectory(path: path).load() }
        #expect(error.summary.hasPrefix("invalid migration file \(path)/002_b.sql: the file cannot be read"), "\(error.summary)")
    }

    @Test("make writes Knex's UTC timestamp prefix")
    func timestamp() throws {
        let date = Date(timeIntervalSince1970: 1_795_601_425)  // 2026-11-25T10:10:25Z
        #expect(MigrationDirectory.timestamp(date) == "20261125101025")
        let path = try folder([:])
        let made = try MigrationDirectory(path: path).make(name: "create_users", now: date)
        #expect(made == "\(path)/20261125101025_create_users.sql")
        #expect(try MigrationDirectory(path: path).load().first?.up.isEmpty == true)
    }
}

@Suite("records matched to files")
struct MigrationStateTests {
    func migration(_ name: String) throws -> Migration {
        try SQLMigrationFile.parse(sqlMigration(up: "SELECT 1;"), name: name, path: name)
    }

    @Test("a record matches its file by name, else by stem; unmatched records are missing")
    func matching() throws {
        let applied = [
            AppliedMigration(id: 1, name: "001_initial_schema.ts", batch: 1, epochMilliseconds: nil),
            AppliedMigration(id: 2, name: "002_b.sql", batch: 1, epochMilliseconds: nil),
            AppliedMigration(id: 3, name: "003_gone.js", batch: 2, epochMilliseconds: nil),
        ]
        let state = MigrationState(applied: applied, available: try ["001_initial_schema.sql", "002_b.sql", "004_new.sql"].map(migration))
        #expect(state.completed.map { $0.migration?.name } == ["001_initial_schema.sql", "002_b.sql", nil])
        #expect(state.missing.map(\.name) == ["003_gone.js"])
        #expect(state.pending.map(\.name) == ["004_new.sql"])
        #expect(state.lastBatch == 2)
    }

    @Test("records applied out of name order (an older file applied later) match their files all the same")
    func outOfOrder() throws {
        let names = ["001_a.sql", "002_b.sql", "003_c.sql", "004_d.sql"]
        let applied = [
            AppliedMigration(id: 1, name: "001_a.sql", batch: 1, epochMilliseconds: nil),
            AppliedMigration(id: 2, name: "003_c.sql", batch: 1, epochMilliseconds: nil),
            AppliedMigration(id: 3, name: "002_b.sql", batch: 2, epochMilliseconds: nil),
            AppliedMigration(id: 4, name: "002_b.sql", batch: 3, epochMilliseconds: nil),
        ]
        let state = MigrationState(applied: applied, available: try names.map(migration))
        #expect(state.completed.map { $0.migration?.name } == ["001_a.sql", "003_c.sql", "002_b.sql", nil])
        #expect(state.completed.map(\.record.id) == [1, 2, 3, 4])
        #expect(state.pending.map(\.name) == ["004_d.sql"])
    }
}
