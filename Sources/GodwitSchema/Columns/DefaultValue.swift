/// A column's default (Knex's `defaultTo`): a value, quoted for the database, or a raw SQL expression.
///
/// ```swift
/// table.string("role").defaultTo("member")
/// table.integer("score").defaultTo(0)
/// table.timestamp("seen_at").defaultTo(.raw("now()"))
/// table.timestamp("created_at").defaultTo(.now)
/// ```
public enum DefaultValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral
{
    case string(String)
    case integer(Int)
    case double(Double)
    case boolean(Bool)
    /// SQL written as is (Knex's `knex.raw('now()')`).
    case raw(String)
    /// SQL `NULL`.
    case null

    /// The current time (Knex's `knex.fn.now()`): `CURRENT_TIMESTAMP`.
    public static let now = DefaultValue.raw("CURRENT_TIMESTAMP")

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(nilLiteral: ()) { self = .null }
}
