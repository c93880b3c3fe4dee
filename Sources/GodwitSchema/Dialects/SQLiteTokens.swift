/// Splits SQLite's SQL into tokens, enough to take a `CREATE TABLE` apart: words, quoted names and strings,
/// and each parenthesised group as one token.
enum SQLiteTokens {
    /// The tokens of `sql`; comments are dropped.
    static func split(_ sql: String) -> [String] {
        let bytes = Array(sql.utf8)
        var tokens: [String] = []
        var index = 0
        func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D, 0x0C:
                index += 1
            case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "-"):
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*"):
                index += 2
                while index + 1 < bytes.count, !(bytes[index] == UInt8(ascii: "*") && bytes[index + 1] == UInt8(ascii: "/")) { index += 1 }
                index = min(index + 2, bytes.count)
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"), UInt8(ascii: "["):
                let end = endOfQuoted(bytes, from: index)
                tokens.append(text(index..<end))
                index = end
            case UInt8(ascii: "("):
                let start = index
                var depth = 0
                while index < bytes.count {
                    let current = bytes[index]
                    if [UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"), UInt8(ascii: "[")].contains(current) {
                        index = endOfQuoted(bytes, from: index)
                        continue
                    }
                    if current == UInt8(ascii: "(") { depth += 1 }
                    if current == UInt8(ascii: ")") {
                        depth -= 1
                        if depth == 0 { index += 1; break }
                    }
                    index += 1
                }
                tokens.append(text(start..<index))
            case UInt8(ascii: ","), UInt8(ascii: ";"):
                tokens.append(text(index..<index + 1))
                index += 1
            default:
                let start = index
                while index < bytes.count, !isBoundary(bytes[index]) { index += 1 }
                if index == start { index += 1 }
                tokens.append(text(start..<index))
            }
        }
        return tokens
    }

    /// Tokens written back as SQL: separated by spaces, but a type's parenthesised arguments follow it
    /// directly (`varchar(255)`).
    static func join(_ tokens: [String]) -> String {
        var text = ""
        var previous = ""
        for token in tokens {
            let isTypeArguments = token.hasPrefix("(") && previous.first?.isLetter == true
                && !keywordsBeforeParentheses.contains(previous.uppercased())
            if !text.isEmpty, !isTypeArguments { text += " " }
            text += token
            previous = token
        }
        return text
    }

    private static let keywordsBeforeParentheses: Set<String> = [
        "CHECK", "KEY", "AS", "DEFAULT", "UNIQUE", "IN", "REFERENCES", "USING", "ON", "VALUES",
    ]

    /// The comma-separated items inside a parenthesised token, each as tokens.
    static func items(inParentheses group: String) -> [[String]] {
        let inner = String(group.dropFirst().dropLast())
        var items: [[String]] = [[]]
        for token in split(inner) {
            if token == "," { items.append([]) } else { items[items.count - 1].append(token) }
        }
        return items
    }

    /// The names in a column list such as `("a", "b" DESC)`.
    static func identifiers(inParentheses group: String) -> [String] {
        items(inParentheses: group).compactMap { $0.first.map(unquote) }
    }

    /// A name without its quotes (`"a""b"` → `a"b`).
    static func unquote(_ token: String) -> String {
        guard let first = token.first, token.count >= 2 else { return token }
        switch first {
        case "\"": return String(token.dropFirst().dropLast()).replacing("\"\"", with: "\"")
        case "`": return String(token.dropFirst().dropLast()).replacing("``", with: "`")
        case "[": return String(token.dropFirst().dropLast())
        default: return token
        }
    }

    private static func endOfQuoted(_ bytes: [UInt8], from start: Int) -> Int {
        let close = bytes[start] == UInt8(ascii: "[") ? UInt8(ascii: "]") : bytes[start]
        var index = start + 1
        while index < bytes.count {
            if bytes[index] == close {
                if close != UInt8(ascii: "]"), index + 1 < bytes.count, bytes[index + 1] == close {
                    index += 2
                    continue
                }
                return index + 1
            }
            index += 1
        }
        return bytes.count
    }

    private static func isBoundary(_ byte: UInt8) -> Bool {
        [0x20, 0x09, 0x0A, 0x0D, 0x0C].contains(byte)
            || [UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "'"),
                UInt8(ascii: "\""), UInt8(ascii: "`"), UInt8(ascii: "[")].contains(byte)
    }
}
