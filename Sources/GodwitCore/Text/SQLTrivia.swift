/// Skips what separates SQL statements without being part of them: white space and comments.
public enum SQLTrivia {
    /// The offset of the first byte at or after `start` that is neither white space nor inside a
    /// `--` or `/* */` comment (nested block comments included, as PostgreSQL nests them).
    public static func skip(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C {
                index += 1
            } else if byte == UInt8(ascii: "-"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "-") {
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
            } else if byte == UInt8(ascii: "/"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "*") {
                index = endOfBlockComment(bytes, from: index)
            } else {
                break
            }
        }
        return index
    }

    /// The offset just past the block comment that opens at `start` (or the end, if it never closes).
    public static func endOfBlockComment(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var depth = 0
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "/"), bytes[index + 1] == UInt8(ascii: "*") {
                depth += 1
                index += 2
            } else if bytes[index] == UInt8(ascii: "*"), bytes[index + 1] == UInt8(ascii: "/") {
                depth -= 1
                index += 2
                if depth == 0 { return index }
            } else {
                index += 1
            }
        }
        return bytes.count
    }

    /// Whether `statement` begins or ends a transaction or a savepoint (`BEGIN`, `COMMIT`, `ROLLBACK`, …),
    /// so that it must not run inside a transaction of Godwit's own.
    public static func controlsTransaction(_ statement: String) -> Bool {
        ["BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE", "PREPARE"]
            .contains(firstKeyword(of: statement))
    }

    /// The statement's first word, in capitals, after white space and comments.
    static func firstKeyword(of statement: String) -> String {
        let start = Array(statement.utf8).withUnsafeBufferPointer { skip($0, from: 0) }
        let word = statement.utf8.dropFirst(start).prefix { ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") }
        return String(decoding: word, as: UTF8.self).uppercased()
    }
}
