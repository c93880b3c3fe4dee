/// The table being created or changed: Knex's `table` argument of `createTable` and `table`.
///
/// ```swift
/// try await db.schema.createTable("posts") { table in
///     table.increments("id")
///     table.string("title").notNullable()
///     table.integer("user_id").references("id").inTable("users")
///     table.timestamps(defaultToNow: true)
///     table.index(["user_id", "created_at"])
/// }
/// ```
public final class TableBuilder {
    /// The table's name.
    public let name: String
    private(set) var commands: [TableCommand] = []

    init(name: String) {
        self.name = name
    }

    // MARK: Columns

    /// An auto-incrementing integer primary key (`serial`; SQLite: `integer primary key autoincrement`).
    @discardableResult public func increments(_ name: String = "id") -> ColumnBuilder { column(name, .increments) }
    /// An auto-incrementing 64-bit primary key (`bigserial`).
    @discardableResult public func bigIncrements(_ name: String = "id") -> ColumnBuilder { column(name, .bigIncrements) }
    @discardableResult public func integer(_ name: String) -> ColumnBuilder { column(name, .integer) }
    @discardableResult public func bigInteger(_ name: String) -> ColumnBuilder { column(name, .bigInteger) }
    @discardableResult public func smallint(_ name: String) -> ColumnBuilder { column(name, .smallint) }
    @discardableResult public func tinyint(_ name: String) -> ColumnBuilder { column(name, .tinyint) }
    @discardableResult public func text(_ name: String) -> ColumnBuilder { column(name, .text) }
    /// `varchar(length)`; Knex's default length is 255.
    @discardableResult public func string(_ name: String, _ length: Int = 255) -> ColumnBuilder { column(name, .string(length: length)) }
    @discardableResult public func float(_ name: String, precision: Int = 8, scale: Int = 2) -> ColumnBuilder {
        column(name, .float(precision: precision, scale: scale))
    }
    @discardableResult public func double(_ name: String) -> ColumnBuilder { column(name, .double) }
    /// `decimal(precision, scale)`; `precision: nil` makes PostgreSQL's unconstrained `decimal`.
    @discardableResult public func decimal(_ name: String, precision: Int? = 8, scale: Int = 2) -> ColumnBuilder {
        column(name, .decimal(precision: precision, scale: scale))
    }
    @discardableResult public func boolean(_ name: String) -> ColumnBuilder { column(name, .boolean) }
    @discardableResult public func date(_ name: String) -> ColumnBuilder { column(name, .date) }
    /// A date and time, with the time zone unless `useTz` is `false`.
    @discardableResult public func datetime(_ name: String, useTz: Bool = true, precision: Int? = nil) -> ColumnBuilder {
        column(name, .datetime(withTimeZone: useTz, precision: precision))
    }
    @discardableResult public func time(_ name: String) -> ColumnBuilder { column(name, .time) }
    /// A date and time, with the time zone unless `useTz` is `false`.
    @discardableResult public func timestamp(_ name: String, useTz: Bool = true, precision: Int? = nil) -> ColumnBuilder {
        column(name, .timestamp(withTimeZone: useTz, precision: precision))
    }
    /// Bytes: `bytea`, SQLite's `blob`.
    @discardableResult public func binary(_ name: String) -> ColumnBuilder { column(name, .binary) }
    /// Text limited to `values` by a check constraint, or, given `native`, PostgreSQL's enum type of that name
    /// (created with the column).
    @discardableResult public func `enum`(_ name: String, _ values: [String], native: String? = nil) -> ColumnBuilder {
        column(name, .enumeration(values: values, nativeType: native))
    }
    /// Knex's other spelling of ``enum(_:_:native:)``.
    @discardableResult public func enu(_ name: String, _ values: [String], native: String? = nil) -> ColumnBuilder {
        self.enum(name, values, native: native)
    }
    @discardableResult public func json(_ name: String) -> ColumnBuilder { column(name, .json) }
    /// `jsonb`; SQLite has only `json`.
    @discardableResult public func jsonb(_ name: String) -> ColumnBuilder { column(name, .jsonb) }
    /// `uuid`; SQLite: `char(36)`.
    @discardableResult public func uuid(_ name: String) -> ColumnBuilder { column(name, .uuid) }
    /// A column of the type written as is: `table.specificType("tags", "text[]")`.
    @discardableResult public func specificType(_ name: String, _ type: String) -> ColumnBuilder { column(name, .specific(type)) }

    /// `created_at` and `updated_at` (`createdAt`, `updatedAt` with `camelCase`); with `defaultToNow`, both
    /// `not null default CURRENT_TIMESTAMP`. Knex's `timestamps(useTimestamps, defaultToNow, useCamelCase)`.
    public func timestamps(useTimestamps: Bool = true, defaultToNow: Bool = false, camelCase: Bool = false) {
        for name in camelCase ? ["createdAt", "updatedAt"] : ["created_at", "updated_at"] {
            let column = useTimestamps ? timestamp(name) : datetime(name)
            if defaultToNow { column.notNullable().defaultTo(.now) }
        }
    }

    private func column(_ name: String, _ type: ColumnType) -> ColumnBuilder {
        let column = ColumnBuilder(name: name, type: type)
        commands.append(.column(column))
        return column
    }

    // MARK: Changes to the table

    /// Drops a column.
    public func dropColumn(_ name: String) { commands.append(.dropColumns([name])) }
    /// Drops columns.
    public func dropColumns(_ names: String...) { commands.append(.dropColumns(names)) }
    /// Drops `created_at` and `updated_at` (`createdAt`, `updatedAt` with `camelCase`).
    public func dropTimestamps(camelCase: Bool = false) {
        commands.append(.dropColumns(camelCase ? ["createdAt", "updatedAt"] : ["created_at", "updated_at"]))
    }
    /// Renames a column.
    public func renameColumn(_ from: String, _ to: String) { commands.append(.renameColumn(from: from, to: to)) }
    /// Lets the column hold `NULL`.
    public func setNullable(_ column: String) { commands.append(.setNullable(column: column, nullable: true)) }
    /// Makes the column refuse `NULL`.
    public func dropNullable(_ column: String) { commands.append(.setNullable(column: column, nullable: false)) }

    /// Adds an index; `name` defaults to `<table>_<columns>_index`. `predicate` makes a partial index
    /// (`"deleted_at is null"`), `indexType` picks PostgreSQL's method (`"gin"`).
    public func index(_ columns: [String], _ name: String? = nil, predicate: String? = nil, indexType: String? = nil) {
        commands.append(.index(columns: columns, name: name, unique: false, predicate: predicate, indexType: indexType))
    }
    /// Adds an index on one column.
    public func index(_ column: String, _ name: String? = nil) { index([column], name) }
    /// Drops the index Knex named after `columns`, or the one named `name`.
    public func dropIndex(_ columns: [String], _ name: String? = nil) {
        commands.append(.dropIndex(columns: columns, name: name, unique: false))
    }
    /// Drops the index on one column.
    public func dropIndex(_ column: String, _ name: String? = nil) { dropIndex([column], name) }

    /// Adds a unique constraint; `name` defaults to `<table>_<columns>_unique`.
    public func unique(_ columns: [String], _ name: String? = nil, predicate: String? = nil) {
        commands.append(.index(columns: columns, name: name, unique: true, predicate: predicate, indexType: nil))
    }
    /// Adds a unique constraint on one column.
    public func unique(_ column: String, _ name: String? = nil) { unique([column], name) }
    /// Drops the unique constraint Knex named after `columns`, or the one named `name`.
    public func dropUnique(_ columns: [String], _ name: String? = nil) {
        commands.append(.dropIndex(columns: columns, name: name, unique: true))
    }
    /// Drops the unique constraint on one column.
    public func dropUnique(_ column: String, _ name: String? = nil) { dropUnique([column], name) }

    /// Adds a foreign key; `name` defaults to `<table>_<columns>_foreign`.
    /// `table.foreign("user_id").references("id").inTable("users")`.
    @discardableResult
    public func foreign(_ columns: [String], _ name: String? = nil) -> ForeignKey {
        let key = ForeignKey(columns: columns, name: name)
        commands.append(.foreign(key))
        return key
    }
    /// Adds a foreign key on one column.
    @discardableResult
    public func foreign(_ column: String, _ name: String? = nil) -> ForeignKey { foreign([column], name) }
    /// Drops the foreign key Knex named after `columns`, or the one named `name`.
    public func dropForeign(_ columns: [String], _ name: String? = nil) {
        commands.append(.dropForeign(columns: columns, name: name))
    }
    /// Drops the foreign key on one column.
    public func dropForeign(_ column: String, _ name: String? = nil) { dropForeign([column], name) }

    /// Makes `columns` the primary key; `name` defaults to `<table>_pkey`.
    public func primary(_ columns: [String], _ name: String? = nil) { commands.append(.primary(columns: columns, name: name)) }
    /// Drops the primary key (named `<table>_pkey` unless `name` is given).
    public func dropPrimary(_ name: String? = nil) { commands.append(.dropPrimary(name: name)) }

    /// Adds a check constraint written in SQL: `table.check(#""ends_at" > "starts_at""#, "valid_period")`.
    public func check(_ expression: String, _ name: String? = nil) { commands.append(.check(expression: expression, name: name)) }
    /// Drops check constraints by name.
    public func dropChecks(_ names: String...) { commands.append(.dropChecks(names)) }

    /// Sets the table's comment (PostgreSQL; ignored on SQLite, as in Knex).
    public func comment(_ text: String) { commands.append(.comment(text)) }
}
