/// A value sent to or read from a database: the few kinds both SQLite and PostgreSQL agree on.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case double(Double)
    case text(String)

    /// The value as an integer, converting from text when the driver returned text.
    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .double(let value): Int64(exactly: value.rounded())
        case .text(let text): Int64(text)
        case .null: nil
        }
    }

    /// The value as a floating-point number, converting from an integer or text.
    public var double: Double? {
        switch self {
        case .double(let value): value
        case .integer(let value): Double(value)
        case .text(let text): Double(text)
        case .null: nil
        }
    }

    /// The value as text, or `nil` for SQL `NULL`.
    public var text: String? {
        switch self {
        case .text(let text): text
        case .integer(let value): String(value)
        case .double(let value): String(value)
        case .null: nil
        }
    }
}

/// One row of a query result, its values in select-list order.
public typealias SQLRow = [SQLValue]
