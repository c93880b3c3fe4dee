/// Skips what separates SQL statements without being part of them: white space and comments.
public enum SQLTrivia {
    /// How a database's scanner reads white space and comments.
    public struct Rules: Sendable {
        /// Whether `/* */` comments nest (PostgreSQL), or one ends at the first `*/` (SQLite).
        public var nestedComments: Bool
        /// Whether a vertical tab is white space (SQLite; not PostgreSQL 15, whose scanner rejects it).
        public var verticalTabIsSpace: Bool
        /// Whether a carriage return ends a `--` comment, as a line feed does (PostgreSQL; SQLite's ends at
        /// a line feed only).
        public var carriageReturnEndsComment: Bool

        /// PostgreSQL's scanner (and psql's).
        public static let postgreSQL = Rules(nestedComments: true, verticalTabIsSpace: false, carriageReturnEndsComment: true)
        /// SQLite's tokenizer.
        public static let sqlite = Rules(nestedComments: false, verticalTabIsSpace: true, carriageReturnEndsComment: false)
    }

    /// The offset of the first byte at or after `start` that is neither white space nor inside a
    /// `--` or `/* */` comment, by `rules`.
    public static func skip(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, rules: Rules = .postgreSQL) -> Int {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C
                || (byte == 0x0B && rules.verticalTabIsSpace)
            {
                index += 1
            } else if byte == UInt8(ascii: "-"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "-") {
                index = endOfLineComment(bytes, from: index, rules: rules)
            } else if byte == UInt8(ascii: "/"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "*") {
                index = endOfBlockComment(bytes, from: index, nested: rules.nestedComments)
            } else {
                break
            }
        }
        return index
    }

    /// The offset of the line end that closes the `--` comment at `start` (or the end), by `rules`.
    public static func endOfLineComment(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, rules: Rules = .postgreSQL) -> Int {
        var index = start
        while index < bytes.count, bytes[index] != 0x0A, bytes[index] != 0x0D || !rules.carriageReturnEndsComment {
            index += 1
        }
        return index
    }

    /// The offset just past the block comment that opens at `start` (or the end, if it never closes); with
    /// `nested`, as PostgreSQL reads them, an inner `/*` opens a comment that needs its own `*/`.
    public static func endOfBlockComment(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, nested: Bool = true) -> Int {
        var depth = 0
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "/"), bytes[index + 1] == UInt8(ascii: "*"), nested || depth == 0 {
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
        ["begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release", "prepare"]
            .contains(SQLTokens.leading(statement, limit: 1).first ?? "")
    }
}

/// The first tokens of a statement, for telling what kind of statement it is: words lowercased, a quoted
/// string or identifier as its content, any other character as itself; white space and comments skipped.
public enum SQLTokens {
    /// Up to `limit` tokens from the start of `statement`.
    public static func leading(_ statement: some StringProtocol, limit: Int) -> [String] {
        Array(statement.utf8).withUnsafeBufferPointer { leading($0, limit: limit) }
    }

    /// Up to `limit` tokens from the start of `bytes` (UTF-8).
    public static func leading(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int) -> [String] {
        var tokens: [String] = []
        var index = 0
        while tokens.count < limit {
            index = SQLTrivia.skip(bytes, from: index)
            guard index < bytes.count else { break }
            let start = index
            let byte = bytes[index]
            if isWordByte(byte) {
                while index < bytes.count, isWordByte(bytes[index]) { index += 1 }
                tokens.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self).lowercased())
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                index += 1
                while index < bytes.count, bytes[index] != byte { index += 1 }
                tokens.append(
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[(start + 1)..<index]), as: UTF8.self).lowercased())
                index += 1
            } else {
                index += 1
                tokens.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
            }
        }
        return tokens
    }

    /// What a statement that starts with `tokens` does to a transaction, by the words PostgreSQL and
    /// SQLite share; `nil` for any other statement (savepoints included).
    public static func transactionControl(_ tokens: [String]) -> ScriptStatement.TransactionControl? {
        let rest = tokens.dropFirst().filter { $0 != ";" }
        let noise: Set<String> = ["work", "transaction"]
        switch tokens.first {
        case "start" where rest.first == "transaction", "begin":
            let options = rest.filter { !noise.contains($0) }
            let modes: Set<String> = ["deferred", "immediate", "exclusive"]  // SQLite's, about its locks only
            return options.allSatisfy(modes.contains) ? .begin : .other
        case "commit", "end":
            let options = Array(rest.drop { noise.contains($0) })
            return options.isEmpty || options == ["and", "no", "chain"] ? .commit : .other
        case "rollback", "abort":
            return rest.drop(while: noise.contains).first == "to" ? nil : .other
        case "prepare" where rest.first == "transaction":
            return .other
        default:
            return nil
        }
    }

    /// Whether a statement starting with `tokens`, whose text is `statement`, changes the session's
    /// settings: `SET` (not `SET TRANSACTION` / `SET CONSTRAINTS`, which end with the transaction), `RESET`,
    /// `DISCARD`, or a call of `set_config`.
    public static func changesSession(_ tokens: [String], statement: UnsafeBufferPointer<UInt8>) -> Bool {
        switch tokens.first {
        case "set":
            return !["transaction", "constraints"].contains(tokens.dropFirst().first ?? "")
        case "reset", "discard":
            return true
        default:
            return containsIgnoringCase(statement, "set_config")
        }
    }

    private static func containsIgnoringCase(_ text: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        word.withUTF8Buffer { word in
            guard text.count >= word.count else { return false }
            return (0...(text.count - word.count)).contains { start in
                (0..<word.count).allSatisfy { text[start + $0] | 0x20 == word[$0] | 0x20 }
            }
        }
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte >= 0x80
    }
}
