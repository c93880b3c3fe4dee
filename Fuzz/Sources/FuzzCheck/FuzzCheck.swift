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

    /// Whether `range` of `bytes` holds nothing but white space, comments and `;`, by `rules`.
    public static func onlyTrivia(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, rules: SQLTrivia.Rules) -> Bool {
        // White space and comments by the dialect's rules (SQLTrivia, which the splits use too: the
        // differential targets check those rules against sqlite3 and the server's scanner), and `;`.
        // Trivia that runs past the range (a comment the next statement would start inside) is not its.
        var index = range.lowerBound
        while index < range.upperBound {
            let next = SQLTrivia.skip(bytes, from: index, rules: rules)
            if next > range.upperBound { return false }
            if next > index {
                index = next
            } else if bytes[index] == UInt8(ascii: ";") {
                index += 1
            } else {
                return false
            }
        }
        return true
    }

    private static func startsWithTrivia(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, rules: SQLTrivia.Rules) -> Bool {
        let first = bytes[offset]
        let second = offset + 1 < bytes.count ? bytes[offset + 1] : 0
        let space = first == 0x20 || first == 0x09 || first == 0x0A || first == 0x0D || first == 0x0C
            || (first == 0x0B && rules.verticalTabIsSpace)
        return space || first == UInt8(ascii: ";")
            || (first == UInt8(ascii: "-") && second == UInt8(ascii: "-"))
            || (first == UInt8(ascii: "/") && second == UInt8(ascii: "*"))
    }

    /// Checks what every dialect's split promises of `statements` read from `script`: each statement is
    /// non-empty, starts with something that is not trivia, and lies in the script; they come in order
    /// without overlapping; and what lies between them (and around them) is trivia and `;` only, so that
    /// the pieces and the gaps joined give back the script.
    public static func checkLayout(_ statements: [ScriptStatement], of script: String, rules: SQLTrivia.Rules) {
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
