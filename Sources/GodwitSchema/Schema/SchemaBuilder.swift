import GodwitCore

extension MigrationDatabase {
    /// Knex's schema builder (`knex.schema`) on this database: tables, columns, indexes, keys, views and
    /// schemas, written in the database's own SQL.
    public var schema: SchemaBuilder { SchemaBuilder(target: .database(self), schemaName: nil, identifiers: .asWritten) }
}

/// Knex's `knex.schema`: each call sends its statements at once, in the migration's transaction.
///
/// ```swift
/// try await db.schema.createTable("users") { table in
///     table.increments("id")
///     table.string("email").notNullable().unique()
/// }
/// try await db.schema.table("users") { table in
///     table.string("phone").nullable()
/// }
/// try await db.schema.withSchema("audit").dropTableIfExists("events")
/// try await db.schema.dropTable("audit.events")     // the same table, named as Knex names it
/// ```
///
/// A table is named as in Knex: `"audit.events"` is the table `events` of the schema `audit`, wherever a
/// table is named. Names Knex makes up are Knex's: `users_email_index`, `users_email_unique`,
/// `posts_user_id_foreign`, `users_pkey`. On SQLite, a change that `ALTER TABLE` cannot make rebuilds the
/// table, keeping its rows, indexes, triggers and foreign keys.
///
/// ``statements(for:identifiers:_:)`` renders the same calls offline, with no database.
///
/// - Throws: `GodwitError` when the database refuses a statement (inside a migration it
///   names the file, the call and the statement), ``SchemaError`` when a change cannot be made as asked.
public struct SchemaBuilder: Sendable {
    let target: SchemaTarget
    let schemaName: String?
    let identifiers: IdentifierMapping

    /// The same builder, working in `schema` (PostgreSQL's schema; an attached database on SQLite).
    public func withSchema(_ schema: String) -> SchemaBuilder {
        SchemaBuilder(target: target, schemaName: schema, identifiers: identifiers)
    }

    /// The same builder, turning every name it writes into the database's with `mapping` (Knex's
    /// `wrapIdentifier`): `db.schema.mappingIdentifiers(.snakeCase)`.
    public func mappingIdentifiers(_ mapping: IdentifierMapping) -> SchemaBuilder {
        SchemaBuilder(target: target, schemaName: schemaName, identifiers: mapping)
    }

    // MARK: Rendering offline

    /// The statements `build`'s calls send, rendered for `dialect` with no database: for a unit test of a
    /// migration, a review, or a lint.
    ///
    /// ```swift
    /// let statements = try await SchemaBuilder.statements(for: PostgresDialect()) { schema in
    ///     try await schema.createTable("users") { table in
    ///         table.increments("id")
    ///         table.string("email").notNullable().unique()
    ///     }
    /// }
    /// // ["create table \"users\" (\"id\" serial primary key, \"email\" varchar(255) not null)",
    /// //  "alter table \"users\" add constraint \"users_email_unique\" unique (\"email\")"]
    /// ```
    ///
    /// What reads the database cannot be rendered and throws ``SchemaError`` naming the call: `hasTable`,
    /// `hasColumn`, `raw` with bound values, and on SQLite a table change that needs a rebuild (altering or
    /// dropping a column with a key, adding or dropping a foreign key, a primary key or a check, changing
    /// nullability), whose statements depend on the table's stored definition. Everything else renders,
    /// on SQLite too: `createTable`, adding plain columns, indexes, unique keys, renames and drops of tables
    /// and views.
    public static func statements(
        for dialect: any SQLDialect, identifiers: IdentifierMapping = .asWritten, _ build: (SchemaBuilder) async throws -> Void
    ) async throws -> [String] {
        let rendered = RenderedStatements(dialect: dialect)
        try await build(SchemaBuilder(target: .rendering(rendered), schemaName: nil, identifiers: identifiers))
        return rendered.statements
    }

    // MARK: Tables

    /// Creates a table.
    public func createTable(
        _ name: String, file: String = #fileID, line: Int = #line, _ build: (TableBuilder) throws -> Void
    ) async throws {
        try await create(name, ifNotExists: false, file: file, line: line, build)
    }

    /// Creates a table unless one of that name exists.
    public func createTableIfNotExists(
        _ name: String, file: String = #fileID, line: Int = #line, _ build: (TableBuilder) throws -> Void
    ) async throws {
        try await create(name, ifNotExists: true, file: file, line: line, build)
    }

    /// Creates a table with the columns of `like` (PostgreSQL: `like … including all`, so its defaults,
    /// constraints and indexes too, with the columns `build` adds; SQLite: its columns only, as Knex does,
    /// then what `build` adds).
    public func createTableLike(
        _ name: String, like: String, file: String = #fileID, line: Int = #line, _ build: (TableBuilder) throws -> Void = { _ in }
    ) async throws {
        let builder = TableBuilder(name: name)
        try build(builder)
        try await dialect().createTableLike(builder, table(name), like: table(like), on: target, file: file, line: line)
    }

    /// Changes a table: adds, changes (`.alter()`), renames and drops columns, indexes and keys.
    public func table(
        _ name: String, file: String = #fileID, line: Int = #line, _ build: (TableBuilder) throws -> Void
    ) async throws {
        let builder = TableBuilder(name: name)
        try build(builder)
        try await dialect().alterTable(builder, table(name), on: target, file: file, line: line)
    }

    /// Knex's other name for ``table(_:file:line:_:)``.
    public func alterTable(
        _ name: String, file: String = #fileID, line: Int = #line, _ build: (TableBuilder) throws -> Void
    ) async throws {
        try await table(name, file: file, line: line, build)
    }

    /// Drops a table.
    public func dropTable(_ name: String, file: String = #fileID, line: Int = #line) async throws {
        try await execute("drop table \(try dialect().qualified(table(name)))", file: file, line: line)
    }

    /// Drops a table if it exists.
    public func dropTableIfExists(_ name: String, file: String = #fileID, line: Int = #line) async throws {
        try await execute("drop table if exists \(try dialect().qualified(table(name)))", file: file, line: line)
    }

    /// Renames a table; it stays in its schema.
    public func renameTable(_ from: String, _ to: String, file: String = #fileID, line: Int = #line) async throws {
        let dialect = try dialect()
        try await execute("alter table \(dialect.qualified(table(from))) rename to \(dialect.quote(table(to).name))", file: file, line: line)
    }

    /// Whether the table exists (in its schema, else the current one). Reads the database.
    public func hasTable(_ name: String, file: String = #fileID, line: Int = #line) async throws -> Bool {
        let table = table(name)
        let db = try target.database(for: "hasTable(\"\(name)\")")
        return try await !db.read(dialect().hasTableQuery(schema: table.schema), [.text(identifiers(table.name))], file: file, line: line).isEmpty
    }

    /// Whether the table has the column. Reads the database.
    public func hasColumn(_ table: String, _ column: String) async throws -> Bool {
        let db = try target.database(for: "hasColumn(\"\(table)\", \"\(column)\")")
        return try await dialect().hasColumn(self.table(table), column, on: db)
    }

    /// Runs SQL as written (Knex's `knex.schema.raw`), with values bound to `$1`… / `?1`….
    public func raw(_ sql: String, _ bindings: [SQLValue] = [], file: String = #fileID, line: Int = #line) async throws {
        try await execute(sql, bindings, file: file, line: line)
    }

    // MARK: Views

    /// Creates a view.
    public func createView(_ name: String, file: String = #fileID, line: Int = #line, _ build: (ViewBuilder) throws -> Void) async throws {
        try await view("create view", name, file: file, line: line, build)
    }

    /// Creates a view, or replaces the one of that name (on SQLite: drops it first, as Knex does).
    public func createViewOrReplace(_ name: String, file: String = #fileID, line: Int = #line, _ build: (ViewBuilder) throws -> Void) async throws {
        try await view(nil, name, file: file, line: line, build)
    }

    /// Creates a materialized view (PostgreSQL).
    public func createMaterializedView(_ name: String, file: String = #fileID, line: Int = #line, _ build: (ViewBuilder) throws -> Void) async throws {
        try requirePostgres("createMaterializedView")
        try await view("create materialized view", name, file: file, line: line, build)
    }

    /// Refreshes a materialized view (PostgreSQL); `concurrently` lets reads go on meanwhile (the view
    /// needs a unique index).
    public func refreshMaterializedView(_ name: String, concurrently: Bool = false, file: String = #fileID, line: Int = #line) async throws {
        try requirePostgres("refreshMaterializedView")
        try await execute("refresh materialized view \(concurrently ? "concurrently " : "")\(try dialect().qualified(table(name)))", file: file, line: line)
    }

    /// Renames a view (PostgreSQL; SQLite cannot rename a view).
    public func renameView(_ from: String, _ to: String, file: String = #fileID, line: Int = #line) async throws {
        try requirePostgres("renameView")
        let dialect = try dialect()
        try await execute("alter view \(dialect.qualified(table(from))) rename to \(dialect.quote(table(to).name))", file: file, line: line)
    }

    /// Changes a view's columns: renames them, sets or drops their defaults (PostgreSQL).
    public func alterView(_ name: String, file: String = #fileID, line: Int = #line, _ build: (ViewAlteration) throws -> Void) async throws {
        try requirePostgres("alterView")
        let dialect = try dialect()
        let alteration = ViewAlteration()
        try build(alteration)
        let prefix = "alter view \(dialect.qualified(table(name)))"
        for change in alteration.changes {
            let statement = switch change {
            case .rename(let from, let to): "\(prefix) rename \(dialect.quote(from)) to \(dialect.quote(to))"
            case .setDefault(let column, let value): "\(prefix) alter \(dialect.quote(column)) set default \(dialect.literal(value))"
            case .dropDefault(let column): "\(prefix) alter \(dialect.quote(column)) drop default"
            }
            try await execute(statement, file: file, line: line)
        }
    }

    /// Drops a view.
    public func dropView(_ name: String, file: String = #fileID, line: Int = #line) async throws {
        try await execute("drop view \(try dialect().qualified(table(name)))", file: file, line: line)
    }

    /// Drops a view if it exists.
    public func dropViewIfExists(_ name: String, file: String = #fileID, line: Int = #line) async throws {
        try await execute("drop view if exists \(try dialect().qualified(table(name)))", file: file, line: line)
    }

    /// Drops a materialized view (PostgreSQL).
    public func dropMaterializedView(_ name: String, file: String = #fileID, line: Int = #line) async throws {
        try requirePostgres("dropMaterializedView")
        try await execute("drop materialized view \(try dialect().qualified(table(name)))", file: file, line: line)
    }

    /// Drops a materialized view if it exists (PostgreSQL).
    public func dropMaterializedViewIfExists(_ name: String, file: String = #fileID, line: Int = #line) async throws {
        try requirePostgres("dropMaterializedViewIfExists")
        try await execute("drop materialized view if exists \(try dialect().qualified(table(name)))", file: file, line: line)
    }

    // MARK: Schemas and extensions (PostgreSQL)

    /// Creates a schema.
    public func createSchema(_ name: String, file: String = #fileID, line: Int = #line) async throws {
        try await postgresOnly("createSchema", "create schema \(try dialect().quote(name))", file: file, line: line)
    }

    /// Creates a schema unless it exists.
    public func createSchemaIfNotExists(_ name: String, file: String = #fileID, line: Int = #line) async throws {
        try await postgresOnly("createSchemaIfNotExists", "create schema if not exists \(try dialect().quote(name))", file: file, line: line)
    }

    /// Drops a schema; `cascade` drops what it holds too.
    public func dropSchema(_ name: String, cascade: Bool = false, file: String = #fileID, line: Int = #line) async throws {
        try await postgresOnly("dropSchema", "drop schema \(try dialect().quote(name))\(cascade ? " cascade" : "")", file: file, line: line)
    }

    /// Drops a schema if it exists; `cascade` drops what it holds too.
    public func dropSchemaIfExists(_ name: String, cascade: Bool = false, file: String = #fileID, line: Int = #line) async throws {
        try await postgresOnly("dropSchemaIfExists", "drop schema if exists \(try dialect().quote(name))\(cascade ? " cascade" : "")", file: file, line: line)
    }

    /// Creates an extension (`uuid-ossp`, `pgcrypto`, …); it is an error if it exists.
    public func createExtension(_ name: String, file: String = #fileID, line: Int = #line) async throws {
        try await postgresOnly("createExtension", "create extension \(try dialect().quote(name))", file: file, line: line)
    }

    /// Creates an extension unless it exists.
    public func createExtensionIfNotExists(_ name: String, file: String = #fileID, line: Int = #line) async throws {
        try await postgresOnly("createExtensionIfNotExists", "create extension if not exists \(try dialect().quote(name))", file: file, line: line)
    }

    /// Drops an extension; it is an error if it does not exist.
    public func dropExtension(_ name: String, file: String = #fileID, line: Int = #line) async throws {
        try await postgresOnly("dropExtension", "drop extension \(try dialect().quote(name))", file: file, line: line)
    }

    /// Drops an extension if it exists.
    public func dropExtensionIfExists(_ name: String, file: String = #fileID, line: Int = #line) async throws {
        try await postgresOnly("dropExtensionIfExists", "drop extension if exists \(try dialect().quote(name))", file: file, line: line)
    }

    // MARK: Helpers

    private func dialect() throws -> any SchemaDialect {
        try schemaDialect(for: target.dialect, identifiers: identifiers)
    }

    /// A table named in a call, split as Knex splits it, under ``withSchema(_:)``.
    private func table(_ name: String) -> SchemaTable {
        SchemaTable(name, withSchema: schemaName)
    }

    private func execute(_ sql: String, _ bindings: [SQLValue] = [], file: String, line: Int) async throws {
        try await target.execute(sql, bindings, file: file, line: line)
    }

    private func create(
        _ name: String, ifNotExists: Bool, file: String, line: Int, _ build: (TableBuilder) throws -> Void
    ) async throws {
        let builder = TableBuilder(name: name)
        try build(builder)
        for statement in try dialect().createTable(builder, table(name), ifNotExists: ifNotExists) {
            try await execute(statement, file: file, line: line)
        }
    }

    /// Creates a view with `verb` (`create view`), or replaces it when `verb` is `nil`.
    private func view(
        _ verb: String?, _ name: String, file: String, line: Int, _ build: (ViewBuilder) throws -> Void
    ) async throws {
        let dialect = try dialect()
        let view = ViewBuilder()
        try build(view)
        guard let query = view.query else {
            throw SchemaError("view \(name) has no query: add view.as(\"select …\")")
        }
        if view.requiredCheck != nil { try requirePostgres("a view's check option") }
        let columns = view.columnNames.isEmpty ? "" : " (\(dialect.quoted(view.columnNames)))"
        let qualifiedName = dialect.qualified(table(name))
        let body = query + (view.requiredCheck.map { " " + $0.rawValue } ?? "")
        let statements = verb.map { ["\($0) \(qualifiedName)\(columns) as \(body)"] }
            ?? dialect.createOrReplaceView(qualifiedName, columns: columns, query: body)
        for statement in statements {
            try await execute(statement, file: file, line: line)
        }
    }

    private func requirePostgres(_ operation: String) throws {
        guard target.dialect.family == .postgreSQL else {
            throw SchemaError("\(operation) is PostgreSQL's: \(target.dialect.name) has none (Knex refuses it there too)")
        }
    }

    private func postgresOnly(_ operation: String, _ statement: String, file: String, line: Int) async throws {
        guard target.dialect.hasSchemas else {
            throw SchemaError("\(operation) is PostgreSQL's: \(target.dialect.name) has no schemas or extensions (Knex has none there either)")
        }
        try await execute(statement, file: file, line: line)
    }
}
