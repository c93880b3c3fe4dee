import GodwitCore

/// Splits a SQL script into statements where psql would: at a `;` outside strings, quoted identifiers,
/// dollar-quoted bodies, comments, parentheses and `CREATE FUNCTION … BEGIN ATOMIC … END` bodies.
///
/// As psql does, it also finds its meta-commands (a `\` outside quotes, to the end of its line), the rows
/// of a `COPY … FROM STDIN` (the lines after it, up to `\.`), and follows `SET standard_conforming_strings`
/// (with it off, a backslash escapes a quote in a plain string).
///
/// Needed where each statement must travel on its own (a `transaction:false` section, since one
/// multi-statement message is one implicit transaction) and to name the statement that failed.
public enum PostgresScriptSplitter {
    /// The UTF-8 byte ranges of the script's statements, without their `;`, leading comments or white space.
    /// Statements that hold only comments are left out, as the server drops them; so are meta-commands.
    public static func statements(in script: String) -> [Range<Int>] {
        read(script).filter { !$0.isShellCommand }.map(\.range)
    }

    /// The script's statements and meta-commands, in order, with what each is.
    public static func read(_ script: String) -> [ScriptStatement] {
        var script = script
        return script.withUTF8 { bytes in
            var scanner = Scanner(bytes: bytes)
            return scanner.statements()
        }
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        var parenthesisDepth = 0
        /// psql's heuristic: inside `CREATE [OR REPLACE] FUNCTION|PROCEDURE`, BEGIN … END nests.
        var beginDepth = 0
        var identifierCount = 0
        var leadingWords: [UInt8] = []
        /// For `COPY … FROM STDIN`: whether the statement starts with `COPY`, the last word was `FROM`, and
        /// `FROM STDIN` was seen.
        var startsWithCopy = false
        var afterFrom = false
        var readsStandardInput = false
        /// The server's `standard_conforming_strings` as the script has set it (on unless it says otherwise).
        var standardStrings = true
        var result: [ScriptStatement] = []
        /// A meta-command met inside the statement being read (its name).
        var innerMetaCommand: String?

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        mutating func statements() -> [ScriptStatement] {
            var start = SQLTrivia.skip(bytes, from: 0)
            index = start
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: ";") where parenthesisDepth == 0 && beginDepth == 0:
                    let semicolon = index
                    index += 1
                    if start < semicolon { finish(start..<trimmedEnd(semicolon), semicolon: semicolon) }
                    start = SQLTrivia.skip(bytes, from: index)
                    index = start
                    resetStatementState()
                case UInt8(ascii: "\\"):
                    // A psql meta-command: it is not SQL and runs to the end of its line. Inside a statement,
                    // psql runs it at once and sends the statement without it: that statement is refused.
                    let end = endOfLine(from: index)
                    let command = metaCommand(index..<end)
                    if start == index {
                        result.append(command)
                        start = SQLTrivia.skip(bytes, from: end)
                        index = start
                    } else {
                        if innerMetaCommand == nil, case .shellCommand(let name, _) = command.kind { innerMetaCommand = name }
                        index = end
                    }
                case UInt8(ascii: "-") where peek(1) == UInt8(ascii: "-"):
                    index = SQLTrivia.endOfLineComment(bytes, from: index)
                case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                    index = SQLTrivia.endOfBlockComment(bytes, from: index)
                case UInt8(ascii: "'"):
                    skipQuoted(UInt8(ascii: "'"), backslashEscapes: !standardStrings)
                case UInt8(ascii: "\""):
                    skipQuoted(UInt8(ascii: "\""), backslashEscapes: false)
                case UInt8(ascii: "$"):
                    skipDollar()
                case UInt8(ascii: "("):
                    parenthesisDepth += 1
                    index += 1
                case UInt8(ascii: ")"):
                    parenthesisDepth = max(0, parenthesisDepth - 1)
                    index += 1
                default:
                    if Scanner.startsIdentifier(byte) {
                        scanWord()
                    } else {
                        index += 1
                    }
                }
            }
            if start < bytes.count, SQLTrivia.skip(bytes, from: start) < bytes.count {
                finish(start..<trimmedEnd(bytes.count), semicolon: nil)
            }
            return result
        }

        /// Records the statement at `range`, what it is and what it changes; a `COPY … FROM STDIN` takes
        /// its rows, and scanning goes on after them.
        private mutating func finish(_ range: Range<Int>, semicolon: Int?) {
            let text = UnsafeBufferPointer(rebasing: bytes[range])
            let tokens = SQLTokens.leading(text, limit: 8)
            var statement = ScriptStatement(range: range)
            if let control = SQLTokens.transactionControl(tokens) { statement.kind = .transactionControl(control) }
            statement.changesSession = SQLTokens.changesSession(tokens, statement: text)
            if statement.changesSession, let conforming = Scanner.standardConformingStrings(after: tokens) {
                statement.changesParsing = conforming != standardStrings
                standardStrings = conforming
            }
            if startsWithCopy, readsStandardInput {
                let lineEnd = endOfLine(from: semicolon.map { $0 + 1 } ?? range.upperBound)
                let rowsStart = min(lineEnd + 1, bytes.count)
                var rowsEnd = rowsStart
                var after = rowsStart
                while after < bytes.count {
                    let end = endOfLine(from: after)
                    if bytes[after..<end].elementsEqual("\\.".utf8) {
                        rowsEnd = after
                        after = min(end + 1, bytes.count)
                        break
                    }
                    after = min(end + 1, bytes.count)
                    rowsEnd = after
                }
                let rest = semicolon.map { $0 + 1 } ?? lineEnd
                statement.kind = SQLTrivia.skip(bytes, from: rest) < lineEnd
                    ? .unsupported(reason: "text follows COPY … FROM STDIN on its line: its rows must start on the next line")
                    : .copyFromStdin(rows: rowsStart..<rowsEnd)
                statement.extent = range.lowerBound..<after
                index = after
            }
            if let name = innerMetaCommand {
                statement.kind = .unsupported(
                    reason: "the psql meta-command \(name) stands inside this statement, where psql runs it at once and sends the statement without its line: put it on a line of its own between statements")
                innerMetaCommand = nil
            }
            result.append(statement)
        }

        /// The value a `SET` / `RESET` of `standard_conforming_strings` gives it; `nil` for other statements.
        private static func standardConformingStrings(after tokens: [String]) -> Bool? {
            var words = tokens.dropFirst()
            if tokens.first == "reset" { return ["standard_conforming_strings", "all"].contains(words.first ?? "") ? true : nil }
            if ["session", "local"].contains(words.first ?? "") { words = words.dropFirst() }
            guard words.first == "standard_conforming_strings" else { return nil }
            let value = words.dropFirst().drop { $0 == "=" || $0 == "to" }.first ?? "on"
            return !["off", "false", "no", "0", "of"].contains(value)
        }

        /// A meta-command's text and whether leaving it out is harmless: pg_dump's `\restrict KEY` and
        /// `\unrestrict KEY` only keep psql from running other meta-commands, which Godwit never runs.
        private func metaCommand(_ range: Range<Int>) -> ScriptStatement {
            var end = range.lowerBound + 1
            while end < range.upperBound, Scanner.continuesIdentifier(bytes[end]) { end += 1 }
            let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[range.lowerBound..<end]), as: UTF8.self)
            return ScriptStatement(
                range: range.lowerBound..<trimmedEnd(range.upperBound),
                kind: .shellCommand(name: name, harmless: name == "\\restrict" || name == "\\unrestrict"))
        }

        private func endOfLine(from start: Int) -> Int {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            return end
        }

        private func peek(_ distance: Int) -> UInt8? {
            index + distance < bytes.count ? bytes[index + distance] : nil
        }

        private func trimmedEnd(_ end: Int) -> Int {
            var end = end
            while end > 0, [0x20, 0x09, 0x0A, 0x0D, 0x0C].contains(bytes[end - 1]) { end -= 1 }
            return end
        }

        private mutating func resetStatementState() {
            parenthesisDepth = 0
            beginDepth = 0
            identifierCount = 0
            leadingWords = []
            startsWithCopy = false
            afterFrom = false
            readsStandardInput = false
        }

        /// A `'…'` string or `"…"` identifier; a doubled quote stays inside. In `E'…'` a backslash escapes.
        private mutating func skipQuoted(_ quote: UInt8, backslashEscapes: Bool) {
            index += 1
            while index < bytes.count {
                let byte = bytes[index]
                if backslashEscapes && byte == UInt8(ascii: "\\") {
                    index += 2
                } else if byte == quote {
                    if peek(1) == quote {
                        index += 2
                    } else {
                        index += 1
                        return
                    }
                } else {
                    index += 1
                }
            }
        }

        /// `$tag$ … $tag$` (or `$$ … $$`); a `$1` parameter is left alone.
        private mutating func skipDollar() {
            var end = index + 1
            while end < bytes.count, Scanner.continuesIdentifier(bytes[end]), bytes[end] != UInt8(ascii: "$") {
                end += 1
            }
            let tagIsValid = end == index + 1 || Scanner.startsIdentifier(bytes[index + 1])
            guard tagIsValid, end < bytes.count, bytes[end] == UInt8(ascii: "$") else {
                index += 1
                return
            }
            let tag = bytes[index...end]
            var search = end + 1
            while search + tag.count <= bytes.count {
                if bytes[search] == UInt8(ascii: "$"), bytes[search..<(search + tag.count)].elementsEqual(tag) {
                    index = search + tag.count
                    return
                }
                search += 1
            }
            index = bytes.count
        }

        private mutating func scanWord() {
            let start = index
            while index < bytes.count, Scanner.continuesIdentifier(bytes[index]) { index += 1 }
            let length = index - start
            if length == 1, bytes[start] | 0x20 == UInt8(ascii: "e"), index < bytes.count,
                bytes[index] == UInt8(ascii: "'")
            {
                skipQuoted(UInt8(ascii: "'"), backslashEscapes: true)
                return
            }
            let word = UnsafeBufferPointer(rebasing: bytes[start..<index])
            if identifierCount == 0 { startsWithCopy = Scanner.equals(word, "copy") }
            if startsWithCopy {
                if afterFrom, Scanner.equals(word, "stdin") { readsStandardInput = true }
                afterFrom = Scanner.equals(word, "from")
            }
            trackBeginAtomic(word: word)
        }

        /// psql's rule: once a statement starts `CREATE [OR REPLACE] FUNCTION|PROCEDURE`, `BEGIN` opens a
        /// body that `END` closes, with `CASE … END` nested inside it; `;` inside does not end the statement.
        private mutating func trackBeginAtomic(word: UnsafeBufferPointer<UInt8>) {
            if identifierCount < 4 {
                let tracked = ["create", "function", "procedure", "or", "replace"].contains { Scanner.equals(word, $0) }
                leadingWords.append(tracked ? word[0] | 0x20 : 0)
            }
            identifierCount += 1
            let first = leadingWords.first, second = leadingWords.dropFirst().first
            let isRoutine =
                first == UInt8(ascii: "c")
                && (second == UInt8(ascii: "f") || second == UInt8(ascii: "p")
                    || (second == UInt8(ascii: "o") && leadingWords.count >= 4 && leadingWords[2] == UInt8(ascii: "r")
                        && (leadingWords[3] == UInt8(ascii: "f") || leadingWords[3] == UInt8(ascii: "p"))))
            guard isRoutine, parenthesisDepth == 0 else { return }
            if Scanner.equals(word, "begin") {
                beginDepth += 1
            } else if Scanner.equals(word, "case") {
                if beginDepth >= 1 { beginDepth += 1 }
            } else if Scanner.equals(word, "end") {
                if beginDepth > 0 { beginDepth -= 1 }
            }
        }

        private static func equals(_ word: UnsafeBufferPointer<UInt8>, _ keyword: StaticString) -> Bool {
            guard word.count == keyword.utf8CodeUnitCount else { return false }
            return keyword.withUTF8Buffer { key in zip(word, key).allSatisfy { $0 | 0x20 == $1 } }
        }

        private static func startsIdentifier(_ byte: UInt8) -> Bool {
            (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
                || byte >= 0x80
        }

        private static func continuesIdentifier(_ byte: UInt8) -> Bool {
            startsIdentifier(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "$")
        }
    }
}
