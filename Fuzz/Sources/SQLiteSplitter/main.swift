import CSQLiteFuzz
import FuzzCheck
import GodwitCore
import GodwitSQLite

// The sqlite3 shell's split (SQLiteDialect.statements(in:)): the same layout properties as PostgreSQL's, by
// SQLite's rules for comments and white space, and each statement ends where the shell ends it: at the
// first `;` after its start at which sqlite3_complete() finds the text complete (only trivia between).
Fuzz.run(fuzzOne)

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var script = Fuzz.text(data, count)
    guard !script.utf8.contains(0) else { return 0 }  // sqlite3_complete reads a C string
    let statements = SQLiteDialect().statements(in: script)
    Fuzz.checkLayout(statements, of: script, rules: .sqlite)
    script.withUTF8 { bytes in
        for (index, statement) in statements.enumerated() {
            guard case .sql = statement.kind else { continue }
            let start = statement.range.lowerBound
            var end = bytes.count
            var offset = start
            while offset < bytes.count {
                if bytes[offset] == UInt8(ascii: ";"), complete(UnsafeBufferPointer(rebasing: bytes[start...offset])) {
                    end = offset
                    break
                }
                offset += 1
            }
            Fuzz.check(
                statement.range.upperBound <= end && Fuzz.onlyTrivia(bytes, statement.range.upperBound..<end, rules: .sqlite),
                "statement \(index) ends at \(statement.range.upperBound); the shell ends it at \(end): \(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<min(bytes.count, end + 1)]), as: UTF8.self).debugDescription)")
        }
    }
    return 0
}

/// sqlite3_complete() on a copy of `bytes` ended by NUL.
private func complete(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    (Array(bytes) + [0]).withUnsafeBufferPointer { pointer in
        pointer.withMemoryRebound(to: CChar.self) { sqlite3_complete($0.baseAddress) == 1 }
    }
}
