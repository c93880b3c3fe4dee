/// Reads SQL migration files in dbmate's format.
///
/// ```sql
/// -- migrate:up
/// CREATE TABLE users (id serial primary key, email varchar(255));
/// -- migrate:down
/// DROP TABLE users;
/// ```
///
/// A marker may carry options: `-- migrate:up transaction:false` runs that section outside any
/// transaction. Before the first marker only blank lines and comments may stand.
public enum SQLMigrationFile {
    /// The file extension of SQL migrations.
    public static let fileExtension = "sql"

    /// Parses a file's contents into a migration.
    ///
    /// - Throws: ``GodwitError`` (`.invalidMigrationFile`) naming the file and line of the problem.
    public static func parse(_ contents: String, name: String, path: String) throws -> Migration {
        var sections: [Direction: Section] = [:]
        var current: Direction?
        var lineNumber = 0
        // `isNewline` also splits "\r\n", which Swift holds as one Character.
        for line in contents.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            if let marker = try Marker(line: line, path: path, lineNumber: lineNumber) {
                guard sections[marker.direction] == nil else {
                    throw GodwitError.invalidMigrationFile(
                        path: path, line: lineNumber,
                        reason: "a second '-- migrate:\(marker.direction.rawValue)' marker")
                }
                sections[marker.direction] = Section(
                    firstLine: lineNumber + 1, runsInTransaction: marker.runsInTransaction)
                current = marker.direction
                continue
            }
            guard let current else {
                let trimmed = line.drop(while: \.isWhitespace)
                if !trimmed.isEmpty && !trimmed.hasPrefix("--") {
                    throw GodwitError.invalidMigrationFile(
                        path: path, line: lineNumber,
                        reason: "SQL before the '-- migrate:up' marker (every file needs one)")
                }
                continue
            }
            sections[current]!.lines.append(line)
        }
        guard let up = sections[.up] else {
            throw GodwitError.invalidMigrationFile(
                path: path, line: nil, reason: "no '-- migrate:up' marker (every file needs one)")
        }
        return Migration(
            name: name, up: up.script, down: sections[.down]?.script, path: path,
            checksum: MigrationChecksum.of(contents))
    }

    /// The template `make` writes.
    public static let template = """
        -- migrate:up


        -- migrate:down


        """

    private enum Direction: String {
        case up, down
    }

    private struct Section {
        let firstLine: Int
        let runsInTransaction: Bool
        var lines: [Substring] = []

        var script: MigrationScript {
            MigrationScript(
                sql: lines.joined(separator: "\n"), firstLine: firstLine, runsInTransaction: runsInTransaction)
        }
    }

    /// A `-- migrate:up` / `-- migrate:down` line and its options.
    private struct Marker {
        let direction: Direction
        let runsInTransaction: Bool

        init?(line: Substring, path: String, lineNumber: Int) throws {
            guard line.hasPrefix("--") else { return nil }
            let rest = line.dropFirst(2).drop(while: { $0 == " " || $0 == "\t" })
            guard rest.hasPrefix("migrate:") else { return nil }
            var words = rest.dropFirst("migrate:".count).split(whereSeparator: \.isWhitespace)
            guard let first = words.first, let direction = Direction(rawValue: String(first)) else {
                throw GodwitError.invalidMigrationFile(
                    path: path, line: lineNumber,
                    reason: "unknown marker '\(line.trimmingTrailingWhitespace)': use '-- migrate:up' or '-- migrate:down'")
            }
            words.removeFirst()
            var runsInTransaction = true
            for option in words {
                switch option {
                case "transaction:false": runsInTransaction = false
                case "transaction:true": runsInTransaction = true
                default:
                    throw GodwitError.invalidMigrationFile(
                        path: path, line: lineNumber,
                        reason: "unknown option '\(option)' (the only option is transaction:false)")
                }
            }
            self.direction = direction
            self.runsInTransaction = runsInTransaction
        }
    }
}

extension Substring {
    fileprivate var trimmingTrailingWhitespace: Substring {
        var result = self
        while let last = result.last, last.isWhitespace { result.removeLast() }
        return result
    }
}
