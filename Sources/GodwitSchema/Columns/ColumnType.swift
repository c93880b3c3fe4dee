/// A column's type, in Knex's vocabulary; each `SchemaDialect` renders it in its database's words.
public enum ColumnType: Sendable, Equatable {
    /// An auto-incrementing integer primary key (`serial primary key`; SQLite's `integer primary key autoincrement`).
    case increments
    /// An auto-incrementing 64-bit primary key (`bigserial primary key`).
    case bigIncrements
    case integer
    case bigInteger
    case smallint
    case tinyint
    case text
    /// `varchar(length)`.
    case string(length: Int)
    /// A floating-point number; PostgreSQL uses `real` and ignores the precision, as Knex does.
    case float(precision: Int, scale: Int)
    case double
    /// An exact number: `decimal(precision, scale)`, or unconstrained `decimal` when `precision` is `nil`.
    case decimal(precision: Int?, scale: Int)
    case boolean
    case date
    /// A date and time; `withTimeZone` picks `timestamptz` on PostgreSQL (Knex's `useTz`, default `true`).
    case datetime(withTimeZone: Bool, precision: Int?)
    case time
    /// Knex's `timestamp`: the same as ``datetime(withTimeZone:precision:)``.
    case timestamp(withTimeZone: Bool, precision: Int?)
    case binary
    /// Text limited to `values` by a check constraint, or PostgreSQL's own enum type named `nativeType`.
    case enumeration(values: [String], nativeType: String?)
    case json
    case jsonb
    case uuid
    /// The type exactly as written (Knex's `specificType`).
    case specific(String)

    /// Whether the column is an auto-incrementing primary key.
    var isIncrements: Bool { self == .increments || self == .bigIncrements }
}
