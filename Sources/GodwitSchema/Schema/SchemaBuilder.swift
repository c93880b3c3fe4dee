import GodwitCore

extension MigrationDatabase {
    /// Knex's schema builder (`knex.schema`) on this database: tables, columns, indexes, keys, views and
    /// schemas, written in the database's own SQL.
    public var schema: SchemaBuilder { SchemaBuilder(db: self, schemaName: nil) }
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
/// ```
///
/// Names Knex makes up are Knex's: `users_email_index`, `users_email_unique`, `posts_user_id_foreign`,
/// `users_pkey`. On SQLite, a change that `ALTER TABLE` cannot make rebuilds the table, keeping its rows,
/// indexes, triggers and foreign keys.
///
/// - Throws: `GodwitError` when the database refuses a statement (inside a migration it
///   names the file, the call and the statement), ``SchemaError`` when a change cannot be made as asked.
public struct SchemaBuilder: Sendable {
    let db: MigrationDatabase
    let schemaName: String?

    /// The same builder, working in `schema` (PostgreSQL's schema; an attached database on SQLite).
    public func withSchema(_ schema: String) -> SchemaBuilder {
        SchemaBuilder(db: db, schemaName: schema)
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

    /// Changes a table: adds, changes (`.alter()`), renames and drops columns, indexes and keys.
    public func table(
        _ name: String, file: String = #fileID, line: Int = #line, _ build: (TableBuilder) throws -> Void
    ) async throws {
        let table = TableBuilder(name: name)
        try build(table)
        try await dialect().alterTable(table, schema: schemaName, on: db, file: file, line: line)
    }

    /// Knex's other name for ``table(_:file:line:_:)``.
    public func alterTable(
        _ name: String, file: String = #fileID, line: Int = #line, _ build: (TableBuilder) throws -> Void
    ) async throws {
        try await table(name, file: file, line: line, build)
    }

    /// Drops a table.
    public func dropTable(_ name: String, file: String = #fileID, line: Int = #line) async throws {
        try await db.execute("drop table \(try dialect().qualified(name, schema: schemaName))", file: file, line: line)
    }

    /// Drops a table if it exists.
    public func dropTableIfExists(_ name: String, file: String = #fileID, line: Int = #line) async throws {
        try await db.execute("drop table if exists \(try dialect().qualified(name, schema: schemaName))", file: file, line: line)
    }

    /// Renames a table.
    public func renameTable(_ from: String, _ to: String, file: String = #fileID, line: Int = #line) async throws {
        let dialect = try dialect()
        try await db.execute("alter table \(dialect.qualified(from, schema: schemaName)) rename to \(dialect.quote(to))", file: file, line: line)
    }

    /// Whether the table exists (in the current schema, or the one from ``withSchema(_:)``).
    public func hasTable(_ name: String, file: String = #fileID, line: Int = #line) async throws -> Bool {
        try await !db.read(dialect().hasTableQuery(schema: schemaName), [.text(name)], file: file, line: line).isEmpty
    }

    /// Whether the table has the column.
    public func hasColumn(_ table: String, _ column: String) async throws -> Bool {
        try await dialect().hasColumn(table, column, schema: schemaName, on: db)
    }

    /// Runs SQL as written (Knex's `knex.schema.raw`), with values bound to `$1`… / `?1`….
    public func raw(_ sql: String, _ bindings: [SQLValue] = [], file: String = #fileID, line: Int = #line) async throws {
        try await db.execute(sql, bindings, file: file, line: line)
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
        try await view("create materialized view", name, file: file, line: line, build)
    }

    /// Refreshes a materialized view (PostgreSQL).
    public func refreshMaterializedView(_ name: String, file: String = #fileID, line: Int = #line) async throws {
        try await db.execute("refresh materialized view \(try dialect().qualified(name, schema: schemaName))", file: file, line: line)
    }

    /// Drops a view.
    public func dropView(_ name: String, file: String = #fileID, line: Int = #line) async throws {
        try await db.execute("drop view \(try dialect().qualified(name, schema: schemaName))", file: file, line: line)
    }

    /// Drops a view if it exists.
    public func dropViewIfExists(_ name: String, file: String = #fileID, line: Int = #line) async throws {
        try await db.execute("drop view if exists \(try dialect().qualified(name, schema: schemaName))", file: file, line: line)
    }

    /// Drops a materialized view (PostgreSQL).
    public func dropMaterializedView(_ name: String, file: String = #fileID, line: Int = #line) async throws {
        try await db.execute("drop materialized view \(try dialect().qualified(name, schema: schemaName))", file: file, line: line)
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

    /// Creates an extension unless it exists (`uuid-ossp`, `pgcrypto`, …).
    public func createExtensionIfNotExists(_ name: String, file: String = #fileID, line: Int = #line) async throws {
        try await postgresOnly("createExtensionIfNotExists", "create extension if not exists \(try dialect().quote(name))", file: file, line: line)
    }

    /// Drops an extension if it exists.
    public func dropExtensionIfExists(_ name: String, file: String = #fileID, line: Int = #line) async throws {
        try await postgresOnly("dropExtensionIfExists", "drop extension if exists \(try dialect().quote(name))", file: file, line: line)
    }

    // MARK: Helpers

    private func dialect() throws -> any SchemaDialect {
        try schemaDialect(for: db.dialect)
    }

    private func create(
        _ name: String, ifNotExists: Bool, file: String, line: Int, _ build: (TableBuilder) throws -> Void
    ) async throws {
        let table = TableBuilder(name: name)
        try build(table)
        for statement in try dialect().createTable(table, schema: schemaName, ifNotExists: ifNotExists) {
            try await db.execute(statement, file: file, line: line)
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
        let columns = view.columnNames.isEmpty ? "" : " (\(dialect.quoted(view.columnNames)))"
        let qualifiedName = dialect.qualified(name, schema: schemaName)
        let statements = verb.map { ["\($0) \(qualifiedName)\(columns) as \(query)"] }
            ?? dialect.createOrReplaceView(qualifiedName, columns: columns, query: query)
        for statement in statements {
            try await db.execute(statement, file: file, line: line)
        }
    }

    private func postgresOnly(_ operation: String, _ statement: String, file: String, line: Int) async throws {
        guard db.dialect.hasSchemas else {
            throw SchemaError("\(operation) is PostgreSQL's: \(db.dialect.name) has no schemas or extensions (Knex has none there either)")
        }
        try await db.execute(statement, file: file, line: line)
    }
}
