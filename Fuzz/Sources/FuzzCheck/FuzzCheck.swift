#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFuzzerDriver
import GodwitCore

/// What every fuzz target shares: the input as text, and a property check that stops the run as a crash,
/// so that libFuzzer keeps the input as the reproducer.
public enum Fuzz {
    /// Hands the program to libFuzzer with `target` as the function it calls for each input; returns
    /// libFuzzer's exit status as the program's.
    public static func run(_ target: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, target))
    }

    /// The input's bytes as UTF-8 text, invalid sequences replaced (Godwit's parsers take valid strings).
    public static func text(_ data: UnsafePointer<UInt8>?, _ count: Int) -> String {
        guard let data else { return "" }
        return String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    }

    /// Stops the run when `condition` does not hold, saying which property failed and on what.
    public static func check(
        _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID,
        line: UInt = #line
    ) {
        guard !condition() else { return }
        let report = "property failed at \(file):\(line): \(message())\n"
        _ = report.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
        abort()
    }

    /// Everything an error says: its description (summary, details, the database's error).
    public static func everything(_ error: any Error) -> String {
        if let error = error as? GodwitError {
            return ([error.description, error.summary] + error.details + [error.databaseError?.description ?? ""])
                .joined(separator: "\n")
        }
        return String(describing: error)
    }

    /// What separates statements in a dialect, as its own scanner has it.
    public struct TriviaRules: Sendable {
        /// Whether block comments nest (PostgreSQL) or end at the first `*/` (SQLite).
        public var nestedComments: Bool
        /// Whether a vertical tab is white space (SQLite; not PostgreSQL 15's scanner).
        public var verticalTabIsSpace: Bool

        /// Whether a carriage return ends a `--` comment (PostgreSQL; SQLite's ends at a line feed only).
        public var carriageReturnEndsComment: Bool

        public static let postgres = TriviaRules(nestedComments: true, verticalTabIsSpace: false, carriageReturnEndsComment: true)
        public static let sqlite = TriviaRules(nestedComments: false, verticalTabIsSpace: true, carriageReturnEndsComment: false)

        func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C || (verticalTabIsSpace && byte == 0x0B)
        }
    }

    /// Whether `range` of `bytes` holds nothing but white space, comments and `;`, by `rules`.
    public static func onlyTrivia(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, rules: TriviaRules) -> Bool {
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            if rules.isSpace(byte) || byte == UInt8(ascii: ";") {
                index += 1
            } else if byte == UInt8(ascii: "-"), index + 1 < range.upperBound, bytes[index + 1] == UInt8(ascii: "-") {
                while index < range.upperBound, bytes[index] != 0x0A, bytes[index] != 0x0D || !rules.carriageReturnEndsComment { index += 1 }
            } else if byte == UInt8(ascii: "/"), index + 1 < range.upperBound, bytes[index + 1] == UInt8(ascii: "*") {
                index = endOfComment(bytes, from: index, nested: rules.nestedComments)
                if index > range.upperBound { return false }
            } else {
                return false
            }
        }
        return true
    }

    private static func startsWithTrivia(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, rules: TriviaRules) -> Bool {
        let first = bytes[offset]
        let second = offset + 1 < bytes.count ? bytes[offset + 1] : 0
        return rules.isSpace(first) || first == UInt8(ascii: ";")
            || (first == UInt8(ascii: "-") && second == UInt8(ascii: "-"))
            || (first == UInt8(ascii: "/") && second == UInt8(ascii: "*"))
    }

    private static func endOfComment(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, nested: Bool) -> Int {
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

    /// Checks what every dialect's split promises of `statements` read from `script`: each statement is
    /// non-empty, starts with something that is not trivia, and lies in the script; they come in order
    /// without overlapping; and what lies between them (and around them) is trivia and `;` only, so that
    /// the pieces and the gaps joined give back the script.
    public static func checkLayout(_ statements: [ScriptStatement], of script: String, rules: TriviaRules) {
        var script = script
        let layout = statements.map { "\($0.range)/\($0.extent)" }.joined(separator: " ")
        script.withUTF8 { bytes in
            var previousEnd = 0
            for (index, statement) in statements.enumerated() {
                let range = statement.range, extent = statement.extent
                check(!range.isEmpty && range.upperBound <= bytes.count, "statement \(index) has range \(range) in \(bytes.count) bytes")
                check(extent.lowerBound == range.lowerBound && extent.upperBound >= range.upperBound, "statement \(index): extent \(extent) does not start its range \(range)")
                check(range.lowerBound >= previousEnd, "statement \(index) at \(range) overlaps the one before (ending at \(previousEnd))")
                check(extent.upperBound <= bytes.count, "statement \(index)'s extent \(extent) passes the end")
                check(!startsWithTrivia(bytes, at: range.lowerBound, rules: rules),
                      "statement \(index) starts with trivia: \(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self).debugDescription)")
                check(onlyTrivia(bytes, previousEnd..<range.lowerBound, rules: rules),
                      "between offsets \(previousEnd) and \(range.lowerBound) stands more than trivia: \(String(decoding: UnsafeBufferPointer(rebasing: bytes[previousEnd..<range.lowerBound]), as: UTF8.self).debugDescription); statements: \(layout)")
                previousEnd = extent.upperBound
            }
            check(onlyTrivia(bytes, previousEnd..<bytes.count, rules: rules),
                  "after the last statement (offset \(previousEnd)) stands more than trivia: \(String(decoding: UnsafeBufferPointer(rebasing: bytes[previousEnd...]), as: UTF8.self).debugDescription); statements: \(layout)")
        }
    }
}
