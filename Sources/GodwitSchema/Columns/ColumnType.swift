/// A column's type, in Knex's vocabulary; each `SchemaDialect` renders it in its database's words.
public enum ColumnType: Sendable, Equatable {
    /// An auto-incrementing integer (`serial`; SQLite's `integer`), the primary key unless `primaryKey` is
    /// `false` or the table names its primary key with `primary(…)`.
    case increments(primaryKey: Bool)
    /// An auto-incrementing 64-bit integer (`bigserial`), the primary key as for ``increments(primaryKey:)``.
    case bigIncrements(primaryKey: Bool)
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
    /// A date and time; `withTimeZone` picks `timestamptz` on PostgreSQL.
    case datetime(withTimeZone: Bool, precision: Int?)
    case time
    /// Knex's `timestamp`: the same as ``datetime(withTimeZone:precision:)``.
    case timestamp(withTimeZone: Bool, precision: Int?)
    case binary
    /// Text limited to `values` by a check constraint, or PostgreSQL's own enum type.
    case enumeration(values: [String], native: NativeEnum?)
    case json
    case jsonb
    /// `uuid`; on SQLite `char(36)`, or `binary(16)` when `binary`. `primaryKey` makes it the primary key.
    case uuid(binary: Bool, primaryKey: Bool)
    /// The type exactly as written (Knex's `specificType`).
    case specific(String)

    /// Whether the column is an auto-incrementing integer.
    var isIncrements: Bool {
        switch self {
        case .increments, .bigIncrements: true
        default: false
        }
    }

    /// Whether the type itself asks to be the primary key (`increments`, `uuid(primaryKey: true)`).
    var asksToBePrimaryKey: Bool {
        switch self {
        case .increments(let primaryKey), .bigIncrements(let primaryKey), .uuid(_, let primaryKey): primaryKey
        default: false
        }
    }
}

/// PostgreSQL's own enum type for an `enum` column (Knex's `useNative: true` with `enumName`).
public struct NativeEnum: Sendable, Equatable {
    /// The type's name.
    public let name: String
    /// The type's schema: the table's (from `withSchema` or a dotted table name) unless given (Knex's
    /// `schemaName`).
    public let schema: String?
    /// Whether the type exists already, so the column only uses it (Knex's `existingType`).
    public let exists: Bool
}
