import FuzzCheck
import GodwitCore

// The dbmate file parser (SQLMigrationFile): a file either parses into sections that, with their marker
// lines and the comments before the first marker, make up the whole file again (its lines joined by LF),
// or is refused with an error naming a line inside the file (or the file, when it has no up marker).
Fuzz.run(fuzzOne)

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let file = Fuzz.text(data, count)
    let lines = lines(of: file)
    let migration: Migration
    do {
        migration = try SQLMigrationFile.parse(file, name: "001_fuzz.sql", path: "fuzz.sql")
    } catch let error as GodwitError {
        Fuzz.check(error.code == .invalidMigrationFile, "refused with \(error.code): \(error)")
        let prefix = "invalid migration file fuzz.sql"
        Fuzz.check(error.summary.hasPrefix(prefix), "the error does not name the file: \(error.summary)")
        let rest = error.summary.dropFirst(prefix.count)
        if rest.hasPrefix(":"), rest.dropFirst().first?.isNumber == true {
            let line = Int(rest.dropFirst().prefix(while: \.isNumber))
            Fuzz.check(line.map { 1...lines.count ~= $0 } ?? false, "the error names line \(String(describing: line)) of \(lines.count): \(error.summary)")
        } else {
            Fuzz.check(error.summary.contains("no '-- migrate:up' marker"), "an error naming no line: \(error.summary)")
        }
        return 0
    } catch {
        Fuzz.check(false, "refused with an error that is not a GodwitError: \(error)")
        return 0
    }
    // The file again, from what the parse returned.
    let markers = lines.indices.filter { isMarker(lines[$0]) }
    Fuzz.check(!markers.isEmpty && markers.count <= 2, "parsed with \(markers.count) marker lines")
    for line in lines[..<markers[0]] {
        let trimmed = line.drop(while: \.isWhitespace)
        Fuzz.check(trimmed.isEmpty || trimmed.hasPrefix("--"), "SQL before the first marker was accepted: \(line.debugDescription)")
    }
    let sections = markers.map { (direction: direction(of: lines[$0]), marker: $0) }
    for (position, section) in sections.enumerated() {
        let end = position + 1 < sections.count ? sections[position + 1].marker : lines.count
        let expected = lines[(section.marker + 1)..<end].joined(separator: "\n")
        let script = section.direction == "up" ? migration.up : migration.down
        Fuzz.check(script != nil, "no \(section.direction) section returned for the marker on line \(section.marker + 1)")
        Fuzz.check(script?.sql == expected, "the \(section.direction) section is \(script?.sql.debugDescription ?? "nil"), the file's lines say \(expected.debugDescription)")
        Fuzz.check(script?.firstLine == section.marker + 2, "the \(section.direction) section starts on line \(script?.firstLine ?? 0), not \(section.marker + 2)")
    }
    Fuzz.check((try? MigrationChecksum.of(file)) == migration.checksum, "the migration's checksum is not the file's")
    return 0
}

/// The file's lines, as an editor shows them: LF, CR and CRLF end one.
private func lines(of text: String) -> [String] {
    var lines: [String] = []
    var current: [UInt8] = []
    var bytes = Array(text.utf8).makeIterator()
    var pending = bytes.next()
    while let byte = pending {
        pending = bytes.next()
        if byte == 0x0A || byte == 0x0D {
            lines.append(String(decoding: current, as: UTF8.self))
            current = []
            if byte == 0x0D, pending == 0x0A { pending = bytes.next() }
        } else {
            current.append(byte)
        }
    }
    lines.append(String(decoding: current, as: UTF8.self))
    return lines
}

/// dbmate's marker: `--`, optional spaces or tabs, `migrate:`.
private func isMarker(_ line: String) -> Bool {
    guard line.hasPrefix("--") else { return false }
    return line.dropFirst(2).drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("migrate:")
}

/// The marker's first word after `migrate:` (words split at spaces, tabs, vertical tabs and form feeds).
private func direction(of marker: String) -> String {
    let rest = marker.dropFirst(2).drop(while: { $0 == " " || $0 == "\t" }).dropFirst("migrate:".count)
    let word = rest.unicodeScalars.split(whereSeparator: { [" ", "\t", "\u{0B}", "\u{0C}"].contains($0) }).first
    return word.map { String(String.UnicodeScalarView($0)) } ?? ""
}
