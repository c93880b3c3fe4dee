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
/// transaction; `transaction:own` runs it in a transaction of its own, committed before the next migration;
/// `-- migrate:down nothing-to-undo` says that an empty down section undoes nothing on purpose. Before the
/// first marker only blank lines and comments may stand.
public enum SQLMigrationFile {
    /// The file extension of SQL migrations.
    public static let fileExtension = "sql"

    /// Parses a file's contents into a migration.
    ///
    /// - Throws: ``GodwitError`` (`.invalidMigrationFile`) naming the file and line of the problem.
    public static func parse(_ contents: String, name: String, path: String) throws -> Migration {
        var contents = contents
        return try contents.withUTF8 { try parse(utf8: UnsafeRawBufferPointer($0), name: name, location: .path(path)) }
    }

    /// Parses a file's UTF-8 bytes (see ``parse(_:name:path:)``); they must be valid UTF-8.
    ///
    /// Lines are found in the bytes (LF, CRLF or CR ends one) and a section is the text between its marker
    /// line and the next marker line: a no-op `latest` reads every file, so this allocates only the sections.
    static func parse(utf8 bytes: UnsafeRawBufferPointer, name: String, location: Migration.Location) throws -> Migration {
        func path() -> String { location.path(of: name) }
        var up: Section?
        var down: Section?
        var current: Direction?
        var lineNumber = 0
        var lineStart = 0
        while true {
            var lineEnd = lineStart
            while lineEnd < bytes.count, bytes[lineEnd] != 0x0A, bytes[lineEnd] != 0x0D { lineEnd += 1 }
            var nextLine = lineEnd
            if lineEnd < bytes.count {
                nextLine += bytes[lineEnd] == 0x0D && lineEnd + 1 < bytes.count && bytes[lineEnd + 1] == 0x0A ? 2 : 1
            }
            lineNumber += 1
            let line = bytes[lineStart..<lineEnd]
            if let marker = try Marker(line: line, path: path(), lineNumber: lineNumber) {
                guard (marker.direction == .up ? up : down) == nil else {
                    throw GodwitError.invalidMigrationFile(
                        path: path(), line: lineNumber,
                        reason: "a second '-- migrate:\(marker.direction.rawValue)' marker")
                }
                if marker.nothingToUndo, marker.direction == .up {
                    throw GodwitError.invalidMigrationFile(
                        path: path(), line: lineNumber, reason: "nothing-to-undo belongs on the '-- migrate:down' marker")
                }
                let section = Section(firstLine: lineNumber + 1, marker: marker, start: nextLine, end: nextLine)
                if marker.direction == .up { up = section } else { down = section }
                current = marker.direction
            } else if current == nil {
                let trimmed = String(decoding: UnsafeRawBufferPointer(rebasing: line), as: UTF8.self).drop(while: \.isWhitespace)
                if !trimmed.isEmpty && !trimmed.hasPrefix("--") {
                    throw GodwitError.invalidMigrationFile(
                        path: path(), line: lineNumber,
                        reason: "SQL before the '-- migrate:up' marker (every file needs one)")
                }
            } else if current == .up {
                up?.end = lineEnd
            } else {
                down?.end = lineEnd
            }
            if lineEnd == bytes.count { break }
            lineStart = nextLine
        }
        guard let up else {
            throw GodwitError.invalidMigrationFile(
                path: path(), line: nil, reason: "no '-- migrate:up' marker (every file needs one)")
        }
        return Migration(
            name: name, up: up.script(in: bytes), down: down?.script(in: bytes), location: location,
            checksum: try MigrationChecksum.of(utf8: bytes))
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
        let marker: Marker
        /// Where its text starts (the line after its marker) and ends (the end of its last line), in bytes.
        let start: Int
        var end: Int

        /// The section's SQL, with its lines joined by LF whatever ended them in the file.
        func script(in bytes: UnsafeRawBufferPointer) -> MigrationScript {
            let text = UnsafeRawBufferPointer(rebasing: bytes[start..<max(start, end)])
            var sql = String(decoding: text, as: UTF8.self)
            if text.contains(0x0D) {
                // By bytes: as characters, "\r\r\n" made "\r" + "\n", which is the one character "\r\n" again.
                var lines: [UInt8] = []
                lines.reserveCapacity(text.count)
                for (index, byte) in text.enumerated() where byte != 0x0D || index + 1 == text.count || text[index + 1] != 0x0A {
                    lines.append(byte == 0x0D ? 0x0A : byte)
                }
                sql = String(decoding: lines, as: UTF8.self)
            }
            return MigrationScript(
                sql: sql, firstLine: firstLine, runsInTransaction: marker.runsInTransaction,
                ownTransaction: marker.ownTransaction, nothingToUndo: marker.nothingToUndo)
        }
    }

    /// A `-- migrate:up` / `-- migrate:down` line and its options, read from the line's bytes.
    private struct Marker {
        let direction: Direction
        let runsInTransaction: Bool
        let ownTransaction: Bool
        let nothingToUndo: Bool

        /// `nil` for a line that is not a marker: one not starting with `--`, optional spaces, `migrate:`.
        init?(line: Slice<UnsafeRawBufferPointer>, path: @autoclosure () -> String, lineNumber: Int) throws {
            guard line.starts(with: "--".utf8) else { return nil }
            let rest = line.dropFirst(2).drop(while: { $0 == 0x20 || $0 == 0x09 })
            guard rest.starts(with: "migrate:".utf8) else { return nil }
            var words = rest.dropFirst("migrate:".utf8.count).split(whereSeparator: Marker.isSpace).makeIterator()
            let first = words.next()
            guard let first, let direction = Direction(rawValue: String(decoding: first, as: UTF8.self)) else {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: line), as: UTF8.self)
                throw GodwitError.invalidMigrationFile(
                    path: path(), line: lineNumber,
                    reason: "unknown marker '\(text.trimmingEnd(while: \.isWhitespace))': use '-- migrate:up' or '-- migrate:down'")
            }
            var runsInTransaction = true
            var ownTransaction = false
            var nothingToUndo = false
            while let option = words.next() {
                if option.elementsEqual("transaction:false".utf8) {
                    (runsInTransaction, ownTransaction) = (false, false)
                } else if option.elementsEqual("transaction:true".utf8) {
                    (runsInTransaction, ownTransaction) = (true, false)
                } else if option.elementsEqual("transaction:own".utf8) {
                    (runsInTransaction, ownTransaction) = (true, true)
                } else if option.elementsEqual("nothing-to-undo".utf8) {
                    nothingToUndo = true
                } else {
                    throw GodwitError.invalidMigrationFile(
                        path: path(), line: lineNumber,
                        reason: "unknown option '\(String(decoding: option, as: UTF8.self))' (the options are transaction:false, transaction:own and, on the down marker, nothing-to-undo)")
                }
            }
            self.direction = direction
            self.runsInTransaction = runsInTransaction
            self.ownTransaction = ownTransaction
            self.nothingToUndo = nothingToUndo
        }

        private static func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0B || byte == 0x0C
        }
    }
}

