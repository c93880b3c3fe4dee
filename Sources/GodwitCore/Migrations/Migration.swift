#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One migration: a name, the script that applies it and the script that undoes it.
///
/// The name is the file name with its extension (`20261125093000_create_users.sql`), exactly what Knex
/// records in `knex_migrations.name`.
///
/// ```swift
/// let migration = try SQLMigrationFile.parse(contents, name: "001_users.sql", path: "migrations/001_users.sql")
/// print(migration.up.sql)
/// ```
public struct Migration: Sendable {
    // The parts live in one shared, immutable object, so a migration is a single reference: the state's
    // pending list, a plan's steps and a report copy 8 bytes per migration, not the whole value.
    private let parts: Parts

    private final class Parts: Sendable {
        let name: String
        let up: MigrationScript
        let down: MigrationScript?
        let location: Location
        let checksum: MigrationChecksum?

        init(name: String, up: MigrationScript, down: MigrationScript?, location: Location, checksum: MigrationChecksum?) {
            self.name = name
            self.up = up
            self.down = down
            self.location = location
            self.checksum = checksum
        }
    }

    /// The file name with its extension; the migration's identity.
    public var name: String { parts.name }
    /// The script that applies the migration.
    public var up: MigrationScript { parts.up }
    /// The script that undoes it; `nil` when the file has no `-- migrate:down` section.
    public var down: MigrationScript? { parts.down }
    /// Where the migration came from, for messages (a file path).
    public var path: String { parts.location.path(of: parts.name) }
    /// The ``MigrationChecksum`` of its source, kept when it is applied so that later edits are noticed;
    /// `nil` when the migration has no source text to fingerprint.
    public var checksum: MigrationChecksum? { parts.checksum }

    /// Creates a migration from its scripts.
    public init(name: String, up: MigrationScript, down: MigrationScript?, path: String, checksum: MigrationChecksum? = nil) {
        self.init(name: name, up: up, down: down, location: .path(path), checksum: checksum)
    }

    /// Creates a migration from its scripts and where it came from.
    init(name: String, up: MigrationScript, down: MigrationScript?, location: Location, checksum: MigrationChecksum?) {
        parts = Parts(name: name, up: up, down: down, location: location, checksum: checksum)
    }

    /// Where a migration came from: a path as given, or the folder its file (named as the migration) is in,
    /// whose path is made when asked for, so 10,000 migrations of one folder keep one string, not 10,000.
    enum Location: Sendable {
        case path(String)
        case inFolder(String)

        func path(of name: String) -> String {
            switch self {
            case .path(let path): path
            case .inFolder(let folder): DirectoryReader.join(folder, name)
            }
        }
    }

    /// The name without its last extension: `001_initial_schema.ts` and `001_initial_schema.sql` share
    /// the stem `001_initial_schema`, which is how a Knex-recorded migration finds the file that replaces it.
    public var stem: Substring { Migration.stem(of: name) }

    /// The stem of any migration name (see ``stem``).
    public static func stem(of name: String) -> Substring {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return Substring(name) }
        return name[..<dot]
    }

    /// Orders migration names as Knex does: by their bytes, so `001_` < `002_` < `20240101…`.
    public static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        var lhs = lhs, rhs = rhs
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
                let shared = min(left.count, right.count)
                let order = shared == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, shared)
                return order != 0 ? order < 0 : left.count < right.count
            }
        }
    }
}

/// One direction of a migration: its SQL (or, for a ``SwiftMigration``, its Swift code) and whether it may
/// run in a transaction.
public struct MigrationScript: Sendable {
    /// The SQL, possibly many statements; empty for Swift code.
    public let sql: String
    /// The Swift code, for a ``SwiftMigration``; `nil` for SQL.
    public let swift: (@Sendable (MigrationDatabase) async throws -> Void)?
    /// The 1-based line of the file on which `sql` starts, so errors can point into the file.
    public let firstLine: Int
    /// `false` for a section marked `transaction:false`: it runs outside any transaction.
    public let runsInTransaction: Bool
    /// `true` for a section marked `transaction:own`: it runs in a transaction of its own, committed before
    /// the next migration runs (so the next may use an enum value it added), instead of in the batch's.
    public let ownTransaction: Bool
    /// `true` for a down section marked `nothing-to-undo`: an empty section that undoes nothing on purpose.
    public let nothingToUndo: Bool

    /// Creates a script.
    public init(
        sql: String, firstLine: Int = 1, runsInTransaction: Bool = true, ownTransaction: Bool = false,
        nothingToUndo: Bool = false
    ) {
        self.sql = sql
        self.swift = nil
        self.firstLine = firstLine
        self.runsInTransaction = runsInTransaction
        self.ownTransaction = ownTransaction
        self.nothingToUndo = nothingToUndo
    }

    /// Creates a script of Swift code.
    public init(swift: @escaping @Sendable (MigrationDatabase) async throws -> Void, runsInTransaction: Bool = true) {
        self.sql = ""
        self.swift = swift
        self.firstLine = 1
        self.runsInTransaction = runsInTransaction
        self.ownTransaction = false
        self.nothingToUndo = false
    }

    /// The same script with other SQL (the same length, so that offsets still point into the file).
    func replacingSQL(_ sql: String) -> MigrationScript {
        MigrationScript(
            sql: sql, firstLine: firstLine, runsInTransaction: runsInTransaction, ownTransaction: ownTransaction,
            nothingToUndo: nothingToUndo)
    }

    /// Whether the script holds nothing but blank lines and `--` comments (Swift code never counts as empty).
    public var isEmpty: Bool {
        guard swift == nil else { return false }
        return sql.split(whereSeparator: \.isNewline).allSatisfy { line in
            let trimmed = line.drop(while: \.isWhitespace)
            return trimmed.isEmpty || trimmed.hasPrefix("--")
        }
    }

    /// The 1-based line and column in the file of a UTF-8 offset into ``sql``.
    public func location(ofUTF8Offset offset: Int) -> (line: Int, column: Int) {
        let utf8 = sql.utf8
        let end = utf8.index(utf8.startIndex, offsetBy: min(max(offset, 0), utf8.count))
        var line = firstLine
        var lineStart = utf8.startIndex
        var index = utf8.startIndex
        while index < end {
            if utf8[index] == UInt8(ascii: "\n") {
                line += 1
                lineStart = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        let column = sql[lineStart..<end].count + 1
        return (line, column)
    }
}
