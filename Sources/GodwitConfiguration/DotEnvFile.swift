#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GodwitCore

/// A `.env` file: `KEY=value` lines, as dotenv reads them.
///
/// Supported: `#` comment lines, an optional `export ` prefix, unquoted values (a ` #` starts a comment),
/// `'single-quoted'` values taken literally, and `"double-quoted"` values with `\n`, `\r`, `\t`, `\"` and
/// `\\` escapes. A line ends at LF, CR or CRLF. ``quoted(_:)`` writes any value so that it reads back as it was.
public struct DotEnvFile: Sendable {
    /// The variables, later lines winning.
    public let variables: [String: String]

    /// Reads the file at `path`; a missing file is `nil`.
    ///
    /// - Throws: `GodwitError` `.configuration` naming the file and line of a malformed line.
    public static func load(path: String) throws -> DotEnvFile? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw GodwitError(code: .configuration, summary: "\(path) is not UTF-8 text")
        }
        return try DotEnvFile(parsing: text, path: path)
    }

    /// Reads a file's text; `path` names it in errors.
    ///
    /// - Throws: `GodwitError` `.configuration` naming the file and line of a malformed line.
    public init(parsing text: String, path: String) throws {
        var variables: [String: String] = [:]
        for (offset, rawLine) in DotEnvFile.lines(of: text).enumerated() {
            var line = rawLine.drop(while: DotEnvFile.isBlank)
            if line.isEmpty || line.first == "#" { continue }
            if line.starts(with: "export ".unicodeScalars) {
                line = line.dropFirst("export ".count).drop(while: DotEnvFile.isBlank)
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw DotEnvFile.malformed(path, offset + 1, "expected KEY=value")
            }
            var key = line[..<equals]
            while let last = key.last, DotEnvFile.isBlank(last) { key.removeLast() }
            guard !key.isEmpty, key.allSatisfy(DotEnvFile.isKeyScalar) else {
                throw DotEnvFile.malformed(path, offset + 1, "'\(String(key))' is not a variable name")
            }
            let rest = line[line.index(after: equals)...].drop(while: DotEnvFile.isBlank)
            variables[String(key)] = try DotEnvFile.value(rest, path: path, line: offset + 1)
        }
        self.variables = variables
    }

    /// `value` in double quotes, escaped so that this reader (and dotenv) reads it back exactly: `\` and `"`
    /// escaped, line breaks and tabs written `\n`, `\r`, `\t`.
    public static func quoted(_ value: String) -> String {
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": quoted.append(contentsOf: #"\\"#.unicodeScalars)
            case "\"": quoted.append(contentsOf: #"\""#.unicodeScalars)
            case "\n": quoted.append(contentsOf: #"\n"#.unicodeScalars)
            case "\r": quoted.append(contentsOf: #"\r"#.unicodeScalars)
            case "\t": quoted.append(contentsOf: #"\t"#.unicodeScalars)
            default: quoted.append(scalar)
            }
        }
        quoted.append("\"")
        return String(quoted)
    }

    // MARK: Reading

    private typealias Scalars = Substring.UnicodeScalarView

    /// The lines of `text`, each without its LF, CR or CRLF. Unicode scalars, not characters: a quote
    /// followed by a combining mark is still a quote.
    private static func lines(of text: String) -> [Scalars] {
        var lines: [Scalars] = []
        let scalars = Substring(text).unicodeScalars
        var start = scalars.startIndex
        var index = start
        while index < scalars.endIndex {
            let scalar = scalars[index]
            guard scalar == "\n" || scalar == "\r" else {
                index = scalars.index(after: index)
                continue
            }
            lines.append(scalars[start..<index])
            index = scalars.index(after: index)
            if scalar == "\r", index < scalars.endIndex, scalars[index] == "\n" { index = scalars.index(after: index) }
            start = index
        }
        lines.append(scalars[start...])
        return lines
    }

    private static func value(_ text: Scalars, path: String, line: Int) throws -> String {
        guard let quote = text.first, quote == "\"" || quote == "'" else {
            var value = text
            if let comment = firstComment(in: text) { value = text[..<comment] }
            while let last = value.last, isBlank(last) { value.removeLast() }
            return String(value)
        }
        var result = String.UnicodeScalarView()
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let scalar = text[index]
            if scalar == quote { return String(result) }
            if quote == "\"", scalar == "\\", text.index(after: index) < text.endIndex {
                index = text.index(after: index)
                switch text[index] {
                case "n": result.append("\n")
                case "r": result.append("\r")
                case "t": result.append("\t")
                default: result.append(text[index])
                }
            } else {
                result.append(scalar)
            }
            index = text.index(after: index)
        }
        throw malformed(path, line, "the value's closing \(quote) is missing")
    }

    /// Where ` #` starts a comment in an unquoted value.
    private static func firstComment(in text: Scalars) -> Scalars.Index? {
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if text[index] == " ", next < text.endIndex, text[next] == "#" { return index }
            index = next
        }
        return nil
    }

    private static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\u{0B}" || scalar == "\u{0C}"
    }

    private static func isKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "_" || scalar == "."
    }

    private static func malformed(_ path: String, _ line: Int, _ reason: String) -> GodwitError {
        GodwitError(code: .configuration, summary: "\(path):\(line): \(reason)")
    }
}
