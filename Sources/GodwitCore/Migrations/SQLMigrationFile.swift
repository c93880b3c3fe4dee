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
        // Lines are found in the UTF-8 bytes (LF, CRLF or CR ends one): splitting into Characters cost more
        // than reading the file. A section is the text between its marker line and the next marker line.
        let utf8 = contents.utf8
        var lineStart = utf8.startIndex
        while true {
            var lineEnd = lineStart
            while lineEnd != utf8.endIndex, utf8[lineEnd] != 0x0A, utf8[lineEnd] != 0x0D { lineEnd = utf8.index(after: lineEnd) }
            var nextLine = lineEnd
            if lineEnd != utf8.endIndex {
                nextLine = utf8.index(after: lineEnd)
                if utf8[lineEnd] == 0x0D, nextLine != utf8.endIndex, utf8[nextLine] == 0x0A { nextLine = utf8.index(after: nextLine) }
            }
            lineNumber += 1
            let line = contents[lineStart..<lineEnd]
            if line.utf8.starts(with: "--".utf8), let marker = try Marker(line: line, path: path, lineNumber: lineNumber) {
                guard sections[marker.direction] == nil else {
                    throw GodwitError.invalidMigrationFile(
                        path: path, line: lineNumber,
                        reason: "a second '-- migrate:\(marker.direction.rawValue)' marker")
                }
                sections[marker.direction] = Section(
                    firstLine: lineNumber + 1, runsInTransaction: marker.runsInTransaction, start: nextLine, end: nextLine)
                current = marker.direction
            } else if current == nil {
                let trimmed = line.drop(while: \.isWhitespace)
                if !trimmed.isEmpty && !trimmed.hasPrefix("--") {
                    throw GodwitError.invalidMigrationFile(
                        path: path, line: lineNumber,
                        reason: "SQL before the '-- migrate:up' marker (every file needs one)")
                }
            } else if let current {
                sections[current]!.end = lineEnd
            }
            if lineEnd == utf8.endIndex { break }
            lineStart = nextLine
        }
        guard let up = sections[.up] else {
            throw GodwitError.invalidMigrationFile(
                path: path, line: nil, reason: "no '-- migrate:up' marker (every file needs one)")
        }
        return Migration(
            name: name, up: up.script(in: contents), down: sections[.down]?.script(in: contents), path: path,
            checksum: MigrationChecksum.of(contents))
    }

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
        /// Where its text starts (the line after its marker) and ends (the end of its last line).
        let start: String.Index
        var end: String.Index

        /// The section's SQL, with its lines joined by LF whatever ended them in the file.
        func script(in contents: String) -> MigrationScript {
            var sql = String(contents[start..<max(start, end)])
            if sql.utf8.contains(0x0D) {
                sql = sql.replacing("\r\n", with: "\n").replacing("\r", with: "\n")
            }
            return MigrationScript(sql: sql, firstLine: firstLine, runsInTransaction: runsInTransaction)
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
