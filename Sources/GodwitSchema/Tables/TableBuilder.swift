/// The table being created or changed: Knex's `table` argument of `createTable` and `table`.
///
/// ```swift
/// try await db.schema.createTable("posts") { table in
///     table.increments("id")
///     table.string("title").notNullable()
///     table.uuid("author_id").references("auth.users.id").onDelete(.cascade)
///     table.timestamps(defaultToNow: true)
///     table.index(["author_id", "created_at"])
/// }
/// ```
public final class TableBuilder {
    /// The table's name, as written (`"posts"`, `"audit.events"`).
    public let name: String
    private(set) var commands: [TableCommand] = []
    /// The table's comment (Knex's `table.comment`).
    private(set) var tableComment: String?
    /// The table it inherits from (Knex's `table.inherits`, PostgreSQL).
    private(set) var parent: String?

    init(name: String) {
        self.name = name
    }

    // MARK: Columns

    /// An auto-incrementing integer (`serial`; SQLite: `integer … autoincrement`), the primary key unless
    /// `primaryKey` is `false` or the table names its primary key with ``primary(_:_:deferrable:)``.
    @discardableResult public func increments(_ name: String = "id", primaryKey: Bool = true) -> ColumnBuilder {
        column(name, .increments(primaryKey: primaryKey))
    }
    /// An auto-incrementing 64-bit integer (`bigserial`), the primary key as for ``increments(_:primaryKey:)``.
    @discardableResult public func bigIncrements(_ name: String = "id", primaryKey: Bool = true) -> ColumnBuilder {
        column(name, .bigIncrements(primaryKey: primaryKey))
    }
    @discardableResult public func integer(_ name: String) -> ColumnBuilder { column(name, .integer) }
    /// Knex's `mediumint`: `integer` on PostgreSQL and SQLite.
    @discardableResult public func mediumint(_ name: String) -> ColumnBuilder { column(name, .integer) }
    @discardableResult public func bigInteger(_ name: String) -> ColumnBuilder { column(name, .bigInteger) }
    /// Knex's other name for ``bigInteger(_:)``.
    @discardableResult public func bigint(_ name: String) -> ColumnBuilder { column(name, .bigInteger) }
    @discardableResult public func smallint(_ name: String) -> ColumnBuilder { column(name, .smallint) }
    @discardableResult public func tinyint(_ name: String) -> ColumnBuilder { column(name, .tinyint) }
    @discardableResult public func text(_ name: String) -> ColumnBuilder { column(name, .text) }
    /// `varchar(length)`; Knex's default length is 255.
    @discardableResult public func string(_ name: String, _ length: Int = 255) -> ColumnBuilder { column(name, .string(length: length)) }
    /// Knex's other name for ``string(_:_:)``.
    @discardableResult public func varchar(_ name: String, _ length: Int = 255) -> ColumnBuilder { string(name, length) }
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
    /// A date and time, with the time zone unless `useTz` is `false` (Knex's `{ useTz }`).
    @discardableResult public func datetime(_ name: String, useTz: Bool = true, precision: Int? = nil) -> ColumnBuilder {
        column(name, .datetime(withTimeZone: useTz, precision: precision))
    }
    /// A date and time; `withoutTz: true` is Knex's positional `datetime(name, true)`, without the time zone.
    @discardableResult public func datetime(_ name: String, withoutTz: Bool, precision: Int? = nil) -> ColumnBuilder {
        datetime(name, useTz: !withoutTz, precision: precision)
    }
    /// Knex's other spelling of ``datetime(_:useTz:precision:)``.
    @discardableResult public func dateTime(_ name: String, useTz: Bool = true, precision: Int? = nil) -> ColumnBuilder {
        datetime(name, useTz: useTz, precision: precision)
    }
    @discardableResult public func time(_ name: String) -> ColumnBuilder { column(name, .time) }
    /// A date and time, with the time zone unless `useTz` is `false` (Knex's `{ useTz }`).
    @discardableResult public func timestamp(_ name: String, useTz: Bool = true, precision: Int? = nil) -> ColumnBuilder {
        column(name, .timestamp(withTimeZone: useTz, precision: precision))
    }
    /// A date and time; `withoutTz: true` is Knex's positional `timestamp(name, true)`, which on PostgreSQL
    /// means *without* the time zone (`timestamp`, not `timestamptz`).
    @discardableResult public func timestamp(_ name: String, withoutTz: Bool, precision: Int? = nil) -> ColumnBuilder {
        timestamp(name, useTz: !withoutTz, precision: precision)
    }
    /// Bytes: `bytea`, SQLite's `blob`.
    @discardableResult public func binary(_ name: String) -> ColumnBuilder { column(name, .binary) }
    /// Text limited to `values` by a check constraint, or, given `native`, PostgreSQL's enum type of that
    /// name (Knex's `useNative: true, enumName`), created before the table unless `existingType`; the type
    /// is in `schemaName`, else the table's schema.
    @discardableResult
    public func `enum`(
        _ name: String, _ values: [String], native: String? = nil, existingType: Bool = false, schemaName: String? = nil
    ) -> ColumnBuilder {
        column(name, .enumeration(values: values, native: native.map { NativeEnum(name: $0, schema: schemaName, exists: existingType) }))
    }
    /// Knex's other spelling of ``enum(_:_:native:existingType:schemaName:)``.
    @discardableResult
    public func enu(
        _ name: String, _ values: [String], native: String? = nil, existingType: Bool = false, schemaName: String? = nil
    ) -> ColumnBuilder {
        self.enum(name, values, native: native, existingType: existingType, schemaName: schemaName)
    }
    @discardableResult public func json(_ name: String) -> ColumnBuilder { column(name, .json) }
    /// `jsonb`; SQLite has only `json`.
    @discardableResult public func jsonb(_ name: String) -> ColumnBuilder { column(name, .jsonb) }
    /// `uuid`; SQLite: `char(36)`, or `binary(16)` with `useBinaryUuid`. `primaryKey` makes it the primary key.
    @discardableResult public func uuid(_ name: String, useBinaryUuid: Bool = false, primaryKey: Bool = false) -> ColumnBuilder {
        column(name, .uuid(binary: useBinaryUuid, primaryKey: primaryKey))
    }
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
        let column = ColumnBuilder(name: name, type: type, table: self)
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

    // MARK: Indexes

    /// Adds an index; `name` defaults to `<table>_<columns>_index`. As in Knex: `indexType: "unique"` makes
    /// it a unique index, `storageEngineIndexType` picks PostgreSQL's access method (`"gin"`, `"hash"`), and
    /// `predicate` makes a partial index (`"deleted_at is null"`).
    public func index(
        _ columns: [String], _ name: String? = nil, indexType: String? = nil, storageEngineIndexType: String? = nil,
        predicate: String? = nil
    ) {
        commands.append(.index(IndexDefinition(
            columns: columns, name: name, isUnique: indexType?.lowercased() == "unique", predicate: predicate,
            method: storageEngineIndexType)))
    }
    /// Adds an index on one column.
    public func index(_ column: String, _ name: String? = nil) { index([column], name) }
    /// Drops the index Knex named after `columns`, or the one named `name`.
    public func dropIndex(_ columns: [String], _ name: String? = nil) {
        commands.append(.dropIndex(columns: columns, name: name, ifExists: false))
    }
    /// Drops the index on one column.
    public func dropIndex(_ column: String, _ name: String? = nil) { dropIndex([column], name) }
    /// Drops the index if it exists.
    public func dropIndexIfExists(_ columns: [String], _ name: String? = nil) {
        commands.append(.dropIndex(columns: columns, name: name, ifExists: true))
    }
    /// Drops the index on one column if it exists.
    public func dropIndexIfExists(_ column: String, _ name: String? = nil) { dropIndexIfExists([column], name) }

    /// Adds a unique key; `name` defaults to `<table>_<columns>_unique`.
    ///
    /// On PostgreSQL, as in Knex, it is a constraint (`add constraint … unique`) unless `useConstraint` is
    /// `false`, or a `predicate` is given without `deferrable`: then it is a unique index (`create unique
    /// index`). A constraint cannot have a predicate, an index cannot be deferrable. SQLite has only unique
    /// indexes.
    public func unique(
        _ columns: [String], _ name: String? = nil, deferrable: Deferrable? = nil, useConstraint: Bool? = nil,
        predicate: String? = nil, storageEngineIndexType: String? = nil
    ) {
        let isConstraint = useConstraint ?? (deferrable != nil || predicate == nil)
        commands.append(.unique(UniqueDefinition(
            columns: columns, name: name, deferrable: deferrable, isConstraint: isConstraint, predicate: predicate,
            method: storageEngineIndexType)))
    }
    /// Adds a unique key on one column.
    public func unique(_ column: String, _ name: String? = nil) { unique([column], name) }
    /// Drops the unique key Knex named after `columns`, or the one named `name`.
    public func dropUnique(_ columns: [String], _ name: String? = nil) {
        commands.append(.dropUnique(columns: columns, name: name, ifExists: false))
    }
    /// Drops the unique key on one column.
    public func dropUnique(_ column: String, _ name: String? = nil) { dropUnique([column], name) }
    /// Drops the unique key if it exists.
    public func dropUniqueIfExists(_ columns: [String], _ name: String? = nil) {
        commands.append(.dropUnique(columns: columns, name: name, ifExists: true))
    }
    /// Drops the unique key on one column if it exists.
    public func dropUniqueIfExists(_ column: String, _ name: String? = nil) { dropUniqueIfExists([column], name) }

    // MARK: Keys

    /// Adds a foreign key; `name` defaults to `<table>_<columns>_foreign` (on SQLite, as in Knex, it is
    /// unnamed unless given). `table.foreign("user_id").references("id").inTable("users")`.
    @discardableResult
    public func foreign(_ columns: [String], _ name: String? = nil) -> ForeignKey {
        let key = ForeignKey(columns: columns, name: name)
        commands.append(.foreign(key))
        return key
    }
    /// Adds a foreign key on one column.
    @discardableResult
    public func foreign(_ column: String, _ name: String? = nil) -> ForeignKey { foreign([column], name) }
    /// Drops the foreign key Knex named after `columns`, or the one named `name` (on SQLite, else the
    /// unnamed one on `columns`).
    public func dropForeign(_ columns: [String], _ name: String? = nil) {
        commands.append(.dropForeign(columns: columns, name: name, ifExists: false))
    }
    /// Drops the foreign key on one column.
    public func dropForeign(_ column: String, _ name: String? = nil) { dropForeign([column], name) }
    /// Drops the foreign key if it exists.
    public func dropForeignIfExists(_ columns: [String], _ name: String? = nil) {
        commands.append(.dropForeign(columns: columns, name: name, ifExists: true))
    }
    /// Drops the foreign key on one column if it exists.
    public func dropForeignIfExists(_ column: String, _ name: String? = nil) { dropForeignIfExists([column], name) }

    /// Makes `columns` the primary key; `name` defaults to `<table>_pkey` (on SQLite, as in Knex, it is
    /// unnamed unless given). As in Knex, when a table is created only the first `primary` counts.
    public func primary(_ columns: [String], _ name: String? = nil, deferrable: Deferrable? = nil) {
        commands.append(.primary(columns: columns, name: name, deferrable: deferrable))
    }
    /// Drops the primary key (named `<table>_pkey` unless `name` is given).
    public func dropPrimary(_ name: String? = nil) { commands.append(.dropPrimary(name: name, ifExists: false)) }
    /// Drops the primary key if there is one.
    public func dropPrimaryIfExists(_ name: String? = nil) { commands.append(.dropPrimary(name: name, ifExists: true)) }

    // MARK: Checks, comment, inheritance

    /// Adds a check constraint written in SQL: `table.check(#""ends_at" > "starts_at""#, "valid_period")`.
    public func check(_ expression: String, _ name: String? = nil) { commands.append(.check(expression: expression, name: name)) }
    /// Drops check constraints by name.
    public func dropChecks(_ names: String...) { commands.append(.dropChecks(names)) }

    /// Sets the table's comment (PostgreSQL; ignored on SQLite, as in Knex).
    public func comment(_ text: String) { tableComment = text }

    /// Makes the new table inherit `parent`'s columns (PostgreSQL's `inherits`; SQLite has no inheritance).
    public func inherits(_ parent: String) { self.parent = parent }
}
