/// One column of ``TableBuilder``: its type and Knex's modifiers, chained.
///
/// ```swift
/// table.string("email", 320).notNullable().unique()
/// table.integer("user_id").references("id").inTable("users").onDelete(.cascade)
/// table.text("bio").nullable().alter()
/// ```
public final class ColumnBuilder {
    /// The column's name.
    public let name: String
    /// Its type.
    public let type: ColumnType
    /// `true` for `NOT NULL`, `false` for an explicit `NULL`, `nil` when not said.
    public private(set) var isNotNull: Bool?
    /// Its default.
    public private(set) var defaultValue: DefaultValue?
    /// Whether it is (part of) the primary key, and the constraint's name.
    public private(set) var primaryKey: ConstraintName?
    /// Whether a unique constraint covers it alone, and the constraint's name.
    public private(set) var uniqueKey: ConstraintName?
    /// Whether an index covers it alone, and the index's name.
    public private(set) var indexKey: ConstraintName?
    /// Its comment.
    public private(set) var comment: String?
    /// The foreign key it is the referencing column of.
    public private(set) var foreignKey: ForeignKey?
    /// Its check constraints.
    public private(set) var checks: [ColumnCheck] = []
    /// Whether it changes an existing column (Knex's `alter()`) instead of adding one.
    public private(set) var isAlteration = false
    /// Whether it was asked to be unsigned; PostgreSQL and SQLite have no unsigned integers, so, as in Knex,
    /// this changes nothing there.
    public private(set) var isUnsigned = false

    init(name: String, type: ColumnType) {
        self.name = name
        self.type = type
    }

    /// Allows `NULL` (the default).
    @discardableResult public func nullable() -> Self { isNotNull = false; return self }
    /// Refuses `NULL`.
    @discardableResult public func notNullable() -> Self { isNotNull = true; return self }
    /// Sets the default value (Knex's `defaultTo`).
    @discardableResult public func defaultTo(_ value: DefaultValue) -> Self { defaultValue = value; return self }
    /// Makes it the primary key; `name` defaults to Knex's `<table>_pkey`.
    @discardableResult public func primary(_ name: String? = nil) -> Self { primaryKey = ConstraintName(name); return self }
    /// Adds a unique constraint on it; `name` defaults to `<table>_<column>_unique`.
    @discardableResult public func unique(_ name: String? = nil) -> Self { uniqueKey = ConstraintName(name); return self }
    /// Adds an index on it; `name` defaults to `<table>_<column>_index`.
    @discardableResult public func index(_ name: String? = nil) -> Self { indexKey = ConstraintName(name); return self }
    /// Asks for an unsigned integer; a no-op on PostgreSQL and SQLite, as in Knex.
    @discardableResult public func unsigned() -> Self { isUnsigned = true; return self }
    /// Sets the column's comment (PostgreSQL; SQLite has none, and Knex ignores it there too).
    @discardableResult public func comment(_ text: String) -> Self { comment = text; return self }
    /// Changes the existing column to this definition instead of adding it (Knex's `alter()`).
    @discardableResult public func alter() -> Self { isAlteration = true; return self }

    /// Makes it reference `column` (`"id"`, or `"users.id"`); finish with ``ForeignKey/inTable(_:)``.
    @discardableResult
    public func references(_ column: String) -> ForeignKey {
        let key = ForeignKey(columns: [name], name: nil)
        foreignKey = key
        return key.references(column)
    }

    /// The value must be greater than zero.
    @discardableResult public func checkPositive(_ name: String? = nil) -> Self { check(.positive, name) }
    /// The value must be less than zero.
    @discardableResult public func checkNegative(_ name: String? = nil) -> Self { check(.negative, name) }
    /// The value must be one of `values`.
    @discardableResult public func checkIn(_ values: [DefaultValue], _ name: String? = nil) -> Self { check(.isIn(values), name) }
    /// The value must not be one of `values`.
    @discardableResult public func checkNotIn(_ values: [DefaultValue], _ name: String? = nil) -> Self { check(.notIn(values), name) }
    /// The value must lie in one of the ranges.
    @discardableResult public func checkBetween(_ ranges: [ClosedRange<Double>], _ name: String? = nil) -> Self { check(.between(ranges), name) }
    /// The length must compare to `length` by `comparison` (`<`, `<=`, `=`, `>=`, `>`, `!=`).
    @discardableResult public func checkLength(_ comparison: String, _ length: Int, _ name: String? = nil) -> Self {
        check(.length(comparison, length), name)
    }
    /// The value must match the regular expression.
    @discardableResult public func checkRegex(_ pattern: String, _ name: String? = nil) -> Self { check(.regex(pattern), name) }

    private func check(_ condition: ColumnCheck.Condition, _ name: String?) -> Self {
        checks.append(ColumnCheck(condition: condition, name: name))
        return self
    }
}

/// A constraint or index that was asked for, with its name when one was given (else Knex's).
public struct ConstraintName: Sendable, Equatable {
    /// The name given; `nil`: Knex's implicit name.
    public let name: String?

    init(_ name: String?) { self.name = name }
}
