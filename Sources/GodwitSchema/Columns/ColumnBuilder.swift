/// One column of ``TableBuilder``: its type and Knex's modifiers, chained.
///
/// ```swift
/// table.string("email", 320).notNullable().unique()
/// table.integer("user_id").references("id").inTable("users").onDelete(.cascade)
/// table.text("bio").nullable().alter()
/// ```
///
/// `primary`, `unique`, `index` and `references` are table commands, as in Knex: they take their place in
/// the table's commands when they are called.
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
    /// With ``isAlteration``: whether the change drops `NOT NULL` and sets it as the new definition says
    /// (Knex's `alterNullable`, default `true`).
    public private(set) var altersNullable = true
    /// With ``isAlteration``: whether the change sets the column's type (Knex's `alterType`, default `true`).
    public private(set) var altersType = true
    /// Whether it was asked to be unsigned; PostgreSQL and SQLite have no unsigned integers, so, as in Knex,
    /// this changes nothing there.
    public private(set) var isUnsigned = false

    private weak var table: TableBuilder?

    init(name: String, type: ColumnType, table: TableBuilder) {
        self.name = name
        self.type = type
        self.table = table
    }

    /// Allows `NULL` (the default).
    @discardableResult public func nullable() -> Self { isNotNull = false; return self }
    /// Refuses `NULL`.
    @discardableResult public func notNullable() -> Self { isNotNull = true; return self }
    /// Knex's other name for ``notNullable()``.
    @discardableResult public func notNull() -> Self { notNullable() }
    /// Sets the default value (Knex's `defaultTo`).
    @discardableResult public func defaultTo(_ value: DefaultValue) -> Self { defaultValue = value; return self }
    /// Knex's other name for ``defaultTo(_:)``.
    @discardableResult public func `default`(_ value: DefaultValue) -> Self { defaultTo(value) }
    /// Knex's other name for ``defaultTo(_:)``.
    @discardableResult public func defaultsTo(_ value: DefaultValue) -> Self { defaultTo(value) }

    /// Makes it the primary key (Knex's `primary`); `name` defaults to Knex's `<table>_pkey`.
    @discardableResult
    public func primary(_ name: String? = nil, deferrable: Deferrable? = nil) -> Self {
        primaryKey = ConstraintName(name)
        table?.primary([self.name], name, deferrable: deferrable)
        return self
    }

    /// Adds a unique constraint on it; `name` defaults to `<table>_<column>_unique`. See
    /// `TableBuilder.unique(_:_:deferrable:useConstraint:predicate:storageEngineIndexType:)`.
    @discardableResult
    public func unique(
        _ name: String? = nil, deferrable: Deferrable? = nil, useConstraint: Bool? = nil, storageEngineIndexType: String? = nil
    ) -> Self {
        uniqueKey = ConstraintName(name)
        table?.unique([self.name], name, deferrable: deferrable, useConstraint: useConstraint, storageEngineIndexType: storageEngineIndexType)
        return self
    }

    /// Adds an index on it; `name` defaults to `<table>_<column>_index`. See
    /// `TableBuilder.index(_:_:indexType:storageEngineIndexType:predicate:)`.
    @discardableResult
    public func index(
        _ name: String? = nil, indexType: String? = nil, storageEngineIndexType: String? = nil, predicate: String? = nil
    ) -> Self {
        indexKey = ConstraintName(name)
        table?.index([self.name], name, indexType: indexType, storageEngineIndexType: storageEngineIndexType, predicate: predicate)
        return self
    }

    /// Asks for an unsigned integer; a no-op on PostgreSQL and SQLite, as in Knex.
    @discardableResult public func unsigned() -> Self { isUnsigned = true; return self }
    /// Sets the column's comment (PostgreSQL; SQLite has none, and Knex ignores it there too).
    ///
    /// As in Knex, a lone `'` is doubled and a doubled `''` is kept: `comment("it's")` and
    /// `comment("it''s")` both store `it's`.
    @discardableResult public func comment(_ text: String) -> Self { comment = text; return self }

    /// Changes the existing column to this definition instead of adding it (Knex's `alter()`).
    ///
    /// On PostgreSQL, as in Knex: the default is dropped, then, with `alterNullable`, `NOT NULL` is dropped;
    /// with `alterType` the type is set (`using` a cast); then the new default and, with `alterNullable`,
    /// `NOT NULL` when the definition says ``notNullable()``. `alter(alterNullable: false)` keeps the
    /// column's nullability as it is. On SQLite the table is rebuilt with the column so defined
    /// (`alterNullable: false` keeps its `NOT NULL` as it was, `alterType: false` its type).
    @discardableResult
    public func alter(alterNullable: Bool = true, alterType: Bool = true) -> Self {
        isAlteration = true
        altersNullable = alterNullable
        altersType = alterType
        return self
    }

    /// Makes it reference `column` (`"id"`, `"users.id"`, or `"auth.users.id"`); finish with
    /// ``ForeignKey/inTable(_:)`` when the table is not named here.
    @discardableResult
    public func references(_ column: String) -> ForeignKey {
        let key = table?.foreign([name]) ?? ForeignKey(columns: [name], name: nil)
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
    /// The text must lie in one of the ranges (`"a"..."m"`), as Knex's `checkBetween` with strings.
    @discardableResult public func checkBetween(_ ranges: [ClosedRange<String>], _ name: String? = nil) -> Self { check(.betweenText(ranges), name) }
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
