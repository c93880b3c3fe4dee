/// A check constraint on one column (Knex's `checkPositive`, `checkIn`, `checkBetween`, …).
public struct ColumnCheck: Sendable, Equatable {
    /// What the column's value must satisfy.
    public enum Condition: Sendable, Equatable {
        case positive
        case negative
        case isIn([DefaultValue])
        case notIn([DefaultValue])
        /// Within one of the closed ranges of numbers.
        case between([ClosedRange<Double>])
        /// Within one of the closed ranges of text (compared as the column's collation orders it).
        case betweenText([ClosedRange<String>])
        /// `length(column) <op> length`, where op is one of `<`, `<=`, `=`, `>=`, `>`, `!=`.
        case length(String, Int)
        /// Matches a regular expression (PostgreSQL's `~`; SQLite's `REGEXP`, which needs the function).
        case regex(String)
    }

    /// The condition.
    public let condition: Condition
    /// The constraint's name, if given.
    public let name: String?

    /// The condition as SQL, for the column `quotedColumn`.
    func expression(quotedColumn column: String, dialect: any SchemaDialect) -> String {
        switch condition {
        case .positive: "\(column) > 0"
        case .negative: "\(column) < 0"
        // Knex joins the values with a bare comma.
        case .isIn(let values): "\(column) in (\(values.map(dialect.literal).joined(separator: ",")))"
        case .notIn(let values): "\(column) not in (\(values.map(dialect.literal).joined(separator: ",")))"
        case .between(let ranges):
            ranges.map { "\(column) between \(Self.number($0.lowerBound)) and \(Self.number($0.upperBound))" }
                .joined(separator: " or ")
        case .betweenText(let ranges):
            ranges.map { "\(column) between \(dialect.stringLiteral($0.lowerBound)) and \(dialect.stringLiteral($0.upperBound))" }
                .joined(separator: " or ")
        case .length(let comparison, let length): "length(\(column)) \(comparison) \(length)"
        case .regex(let pattern): dialect.regexMatch(column, pattern: pattern)
        }
    }

    private static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
