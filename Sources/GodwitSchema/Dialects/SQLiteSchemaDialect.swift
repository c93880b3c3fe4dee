import GodwitCore

/// Knex's SQLite DDL: `integer not null primary key autoincrement`, foreign keys inside `create table`,
/// unique constraints as unique indexes, and a table rebuild for what SQLite's `ALTER TABLE` cannot do.
struct SQLiteSchemaDialect: SchemaDialect {
    let sql: any SQLDialect

    func booleanLiteral(_ value: Bool) -> String { value ? "1" : "0" }

    func regexMatch(_ column: String, pattern: String) -> String { "\(column) REGEXP \(stringLiteral(pattern))" }

    func type(of type: ColumnType) -> String {
        switch type {
        case .increments, .bigIncrements: "integer not null primary key autoincrement"
        case .integer, .smallint: "integer"
        case .bigInteger: "bigint"
        case .tinyint: "tinyint"
        case .text, .enumeration: "text"
        case .string(let length): "varchar(\(length))"
        case .float, .double, .decimal: "float"
        case .boolean: "boolean"
        case .date: "date"
        case .datetime, .timestamp: "datetime"
        case .time: "time"
        case .binary: "blob"
        case .json, .jsonb: "json"
        case .uuid: "char(36)"
        case .specific(let written): written
        }
    }

    func createTable(_ table: TableBuilder, schema: String?, ifNotExists: Bool) throws -> [String] {
        var definitions: [String] = []
        var constraints: [String] = []
        var after: [String] = []
        for command in table.commands {
            switch command {
            case .column(let column):
                definitions.append(columnDefinition(column))
                if let key = column.foreignKey { constraints.append(try foreignKeyConstraint(key, table: table.name, schema: schema)) }
                after += indexes(for: column, table: table.name, schema: schema)
            case .primary:
                break
            case .foreign(let key):
                constraints.append(try foreignKeyConstraint(key, table: table.name, schema: schema))
            case .check(let expression, let name):
                constraints.append(checkConstraint(expression, name: name))
            default:
                after += try nativeStatements(for: command, table: table.name, schema: schema)
            }
        }
        let primaryKey = [primaryKeyConstraint(of: table)].compactMap { $0 }
        return [createTableStatement(table, schema: schema, ifNotExists: ifNotExists, definitions: definitions + primaryKey + constraints)]
            + after
    }

    func alterTable(_ table: TableBuilder, schema: String?, on db: MigrationDatabase, file: String, line: Int) async throws {
        var pending: [TableCommand] = []
        for command in table.commands {
            if isNative(command) {
                if !pending.isEmpty {
                    try await rebuild(table.name, schema: schema, applying: pending, on: db, file: file, line: line)
                    pending = []
                }
                for statement in try nativeStatements(for: command, table: table.name, schema: schema) {
                    try await db.execute(statement, file: file, line: line)
                }
            } else {
                pending.append(command)
            }
        }
        if !pending.isEmpty {
            try await rebuild(table.name, schema: schema, applying: pending, on: db, file: file, line: line)
        }
    }

    /// SQLite has no `create or replace view`: as Knex, drop it, then create it.
    func createOrReplaceView(_ qualifiedName: String, columns: String, query: String) -> [String] {
        ["drop view if exists \(qualifiedName)", "create view \(qualifiedName)\(columns) as \(query)"]
    }

    func hasTableQuery(schema: String?) -> String {
        "select 1 from \(schema.map { quote($0) + "." } ?? "")sqlite_master where type = 'table' and name = ?1"
    }

    func hasColumn(_ table: String, _ column: String, schema: String?, on db: MigrationDatabase) async throws -> Bool {
        let rows = try await db.read("select name from \(schema.map { quote($0) + "." } ?? "")pragma_table_info(?1)", [.text(table)])
        return rows.contains { $0.first?.text?.lowercased() == column.lowercased() }
    }

    /// Whether SQLite does `command` with `ALTER TABLE`, `CREATE INDEX` or `DROP INDEX`; the rest needs the
    /// table rebuilt.
    private func isNative(_ command: TableCommand) -> Bool {
        switch command {
        case .renameColumn, .index, .dropIndex, .comment: true
        case .column(let column): !column.isAlteration && !needsRebuildToAdd(column)
        default: false
        }
    }

    /// Whether SQLite's `ALTER TABLE … ADD COLUMN` refuses this column (a key, `NOT NULL` without a default,
    /// a default that is not a constant) or it brings a foreign key, which Knex names as a table constraint.
    private func needsRebuildToAdd(_ column: ColumnBuilder) -> Bool {
        if column.type.isIncrements || column.primaryKey != nil || column.foreignKey != nil { return true }
        if column.isNotNull == true, column.defaultValue == nil || column.defaultValue == .null { return true }
        if case .raw = column.defaultValue { return true }
        return false
    }

    // MARK: Pieces

    /// The unique and plain indexes a column's modifiers ask for.
    func indexes(for column: ColumnBuilder, table: String, schema: String?) -> [String] {
        var statements: [String] = []
        if let unique = column.uniqueKey {
            statements.append(createIndex(
                table: table, schema: schema, columns: [column.name], name: unique.name, unique: true, predicate: nil,
                indexType: nil))
        }
        if let index = column.indexKey {
            statements.append(createIndex(
                table: table, schema: schema, columns: [column.name], name: index.name, unique: false, predicate: nil,
                indexType: nil))
        }
        return statements
    }

    func foreignKeyConstraint(_ key: ForeignKey, table: String, schema: String?) throws -> String {
        // SQLite's foreign keys name a table of the same database: no schema prefix.
        "constraint \(quote(foreignKeyName(key, table: table))) " + (try foreignKeyClause(key, table: table, schema: nil))
    }

    func checkConstraint(_ expression: String, name: String?) -> String {
        (name.map { "constraint \(quote($0)) " } ?? "") + "check (\(expression))"
    }

    /// The statements of a command SQLite does without a rebuild.
    private func nativeStatements(for command: TableCommand, table: String, schema: String?) throws -> [String] {
        switch command {
        case .column(let column):
            return ["alter table \(qualified(table, schema: schema)) add column \(columnDefinition(column))"]
                + indexes(for: column, table: table, schema: schema)
        case .renameColumn(let from, let to):
            return ["alter table \(qualified(table, schema: schema)) rename column \(quote(from)) to \(quote(to))"]
        case .index(let columns, let name, let unique, let predicate, _):
            // SQLite has one kind of index: Knex's `indexType` is for other databases.
            return [createIndex(
                table: table, schema: schema, columns: columns, name: name, unique: unique, predicate: predicate,
                indexType: nil)]
        case .dropIndex(let columns, let name, let unique):
            return ["drop index \(qualified(name ?? implicitName(table, columns, unique ? "unique" : "index"), schema: schema))"]
        case .comment:
            return []
        default:
            throw SchemaError("internal: \(command) needs a table rebuild on SQLite")
        }
    }
}
