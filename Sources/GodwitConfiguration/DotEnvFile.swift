#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GodwitCore

/// A `.env` file: `KEY=value` lines, as dotenv reads them.
///
/// Supported: `#` comment lines, an optional `export ` prefix, unquoted values (a ` #` starts a comment),
/// `'single-quoted'` values taken literally, and `"double-quoted"` values with `\n`, `\"` and `\\` escapes.
struct DotEnvFile {
    /// The variables, later lines winning.
    let variables: [String: String]

    /// Reads the file at `path`; a missing file is empty.
    ///
    /// - Throws: ``GodwitError`` `.configuration` naming the file and line of a malformed line.
    static func load(path: String) throws -> DotEnvFile? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw GodwitError(code: .configuration, summary: "\(path) is not UTF-8 text")
        }
        return try DotEnvFile(parsing: text, path: path)
    }

    init(parsing text: String, path: String) throws {
        var variables: [String: String] = [:]
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            var line = rawLine.drop(while: \.isWhitespace)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst("export ".count).drop(while: \.isWhitespace) }
            guard let equals = line.firstIndex(of: "=") else {
                throw DotEnvFile.malformed(path, offset + 1, "expected KEY=value")
            }
            let key = line[..<equals].trimmingEnd(while: \.isWhitespace)
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) else {
                throw DotEnvFile.malformed(path, offset + 1, "'\(key)' is not a variable name")
            }
            let rest = line[line.index(after: equals)...].drop(while: { $0 == " " || $0 == "\t" })
            variables[String(key)] = try DotEnvFile.value(rest, path: path, line: offset + 1)
        }
        self.variables = variables
    }

    private static func value(_ text: Substring, path: String, line: Int) throws -> String {
        guard let quote = text.first, quote == "\"" || quote == "'" else {
            let uncommented = text.firstRange(of: " #").map { text[..<$0.lowerBound] } ?? text
            return String(uncommented.trimmingEnd(while: \.isWhitespace))
        }
        var result = ""
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let character = text[index]
            if character == quote { return result }
            if quote == "\"", character == "\\", text.index(after: index) < text.endIndex {
                index = text.index(after: index)
                switch text[index] {
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: result.append(text[index])
                }
            } else {
                result.append(character)
            }
            index = text.index(after: index)
        }
        throw malformed(path, line, "the value's closing \(quote) is missing")
    }

    private static func malformed(_ path: String, _ line: Int, _ reason: String) -> GodwitError {
        GodwitError(code: .configuration, summary: "\(path):\(line): \(reason)")
    }
}
