import GodwitCore

/// Knex's SQLite DDL: `integer not null primary key autoincrement`, foreign and primary keys inside
/// `create table` (unnamed unless named, as Knex writes them), unique keys as unique indexes, and a table
/// rebuild for what SQLite's `ALTER TABLE` cannot do.
struct SQLiteSchemaDialect: SchemaDialect {
    let sql: any SQLDialect
    let identifiers: IdentifierMapping

    func booleanLiteral(_ value: Bool) -> String { value ? "1" : "0" }

    func regexMatch(_ column: String, pattern: String) -> String { "\(column) REGEXP \(stringLiteral(pattern))" }

    func type(of column: ColumnBuilder, in table: SchemaTable, isOwnKey: Bool) -> String {
        switch column.type {
        // SQLite allows AUTOINCREMENT only on the column that is the INTEGER PRIMARY KEY.
        case .increments, .bigIncrements: isOwnKey ? "integer not null primary key autoincrement" : "integer not null"
        case .integer, .smallint: "integer"
        case .bigInteger: "bigint"
        case .tinyint: "tinyint"
        case .text: "text"
        case .enumeration(let values, _):
            "text check (\(quote(column.name)) in (\(values.map(stringLiteral).joined(separator: ", "))))"
        case .string(let length): "varchar(\(length))"
        case .float, .double, .decimal: "float"
        case .boolean: "boolean"
        case .date: "date"
        case .datetime, .timestamp: "datetime"
        case .time: "time"
        case .binary: "blob"
        case .json, .jsonb: "json"
        case .uuid(let binary, _): (binary ? "binary(16)" : "char(36)") + (isOwnKey ? " primary key" : "")
        case .specific(let written): written
        }
    }

    /// As Knex: an `increments` column stays the `integer primary key` even beside `primary(…)` (SQLite allows
    /// `autoincrement` nowhere else), and the table's `primary(…)` becomes a unique key.
    func isOwnPrimaryKey(_ column: ColumnBuilder, in builder: TableBuilder) -> Bool {
        column.type.isIncrements ? column.type.asksToBePrimaryKey : column.type.asksToBePrimaryKey && !namesPrimaryKey(builder)
    }

    func createTable(_ builder: TableBuilder, _ table: SchemaTable, ifNotExists: Bool) throws -> [String] {
        if let parent = builder.parent {
            throw SchemaError("table \(table.written) cannot inherit \(parent): inheritance is PostgreSQL's, and SQLite has none")
        }
        var definitions: [String] = []
        var keys: [String] = []
        var after: [String] = []
        for command in builder.commands {
            switch command {
            case .column(let column):
                definitions.append(columnDefinition(column, of: builder, in: table))
            case .foreign(let key):
                keys.append(try foreignKeyConstraint(key, of: table))
            case .primary, .check:
                break
            default:
                after += try nativeStatements(for: command, table)
            }
        }
        let hasOwnKey = builder.commands.contains { command in
            if case .column(let column) = command { column.type.isIncrements && isOwnPrimaryKey(column, in: builder) } else { false }
        }
        let primaryKey = primaryKeyConstraint(of: builder, table, named: false, asUnique: hasOwnKey)
        definitions += keys + [primaryKey].compactMap { $0 } + tableChecks(of: builder)
        return ["create table \(ifNotExists ? "if not exists " : "")\(qualified(table)) (\(definitions.joined(separator: ", ")))"] + after
    }

    /// Knex's SQLite `createTableLike`: the columns, without their keys or rows; then what `builder` adds.
    func createTableLike(
        _ builder: TableBuilder, _ table: SchemaTable, like: SchemaTable, on target: SchemaTarget, file: String, line: Int
    ) async throws {
        try await target.execute("create table \(qualified(table)) as select * from \(qualified(like)) where 0=1", file: file, line: line)
        if !builder.commands.isEmpty { try await alterTable(builder, table, on: target, file: file, line: line) }
    }

    func alterTable(_ builder: TableBuilder, _ table: SchemaTable, on target: SchemaTarget, file: String, line: Int) async throws {
        var pending: [TableCommand] = []
        func rebuildPending() async throws {
            guard !pending.isEmpty else { return }
            let db = try target.database(for: "changing table \(table.written) on SQLite (\(Self.describe(pending)); SQLite rebuilds the table from its stored definition)")
            try await rebuild(table, of: builder, applying: pending, on: db, file: file, line: line)
            pending = []
        }
        for command in builder.commands {
            if isNative(command) {
                try await rebuildPending()
                for statement in try nativeStatements(for: command, table, of: builder) {
                    try await target.execute(statement, file: file, line: line)
                }
            } else {
                pending.append(command)
            }
        }
        try await rebuildPending()
    }

    /// SQLite has no `create or replace view`: as Knex, drop it, then create it.
    func createOrReplaceView(_ qualifiedName: String, columns: String, query: String) -> [String] {
        ["drop view if exists \(qualifiedName)", "create view \(qualifiedName)\(columns) as \(query)"]
    }

    func hasTableQuery(schema: String?) -> String {
        "select 1 from \(schema.map { quote($0) + "." } ?? "")sqlite_master where type = 'table' and name = ?1"
    }

    func hasColumn(_ table: SchemaTable, _ column: String, on db: MigrationDatabase) async throws -> Bool {
        let rows = try await db.read("select name from \(table.schema.map { quote($0) + "." } ?? "")pragma_table_info(?1)", [.text(identifiers(table.name))])
        let wanted = identifiers(column).lowercased()
        return rows.contains { $0.first?.text?.lowercased() == wanted }
    }

    /// Whether SQLite does `command` with `ALTER TABLE`, `CREATE INDEX` or `DROP INDEX`; the rest needs the
    /// table rebuilt.
    private func isNative(_ command: TableCommand) -> Bool {
        switch command {
        case .renameColumn, .index, .unique, .dropIndex, .dropUnique: true
        case .column(let column): !column.isAlteration && !needsRebuildToAdd(column)
        default: false
        }
    }

    /// Whether SQLite's `ALTER TABLE … ADD COLUMN` refuses this column (a key, `NOT NULL` without a default,
    /// a default that is not a constant) or it brings a foreign key, which goes into the table's definition.
    private func needsRebuildToAdd(_ column: ColumnBuilder) -> Bool {
        if column.type.isIncrements || column.type.asksToBePrimaryKey || column.primaryKey != nil || column.foreignKey != nil { return true }
        if column.isNotNull == true, column.defaultValue == nil || column.defaultValue == .null { return true }
        if case .raw = column.defaultValue { return true }
        return false
    }

    static func describe(_ commands: [TableCommand]) -> String {
        commands.map { command in
            switch command {
            case .column(let column): column.isAlteration ? "alter \(column.name)" : "add \(column.name)"
            case .dropColumns(let names): "drop \(names.joined(separator: ", "))"
            case .foreign: "add a foreign key"
            case .dropForeign: "drop a foreign key"
            case .primary: "add the primary key"
            case .dropPrimary: "drop the primary key"
            case .setNullable(let column, _): "change the nullability of \(column)"
            case .check: "add a check"
            case .dropChecks: "drop checks"
            default: "change it"
            }
        }.joined(separator: ", ")
    }

    // MARK: Pieces

    /// `[constraint "name" ]foreign key("a") references "users"("id")`: named only when a name was given,
    /// as Knex writes it on SQLite.
    func foreignKeyConstraint(_ key: ForeignKey, of table: SchemaTable) throws -> String {
        (key.name.map { "constraint \(quote($0)) " } ?? "") + (try foreignKeyClause(key, of: table, sqliteStyle: true))
    }

    /// The statements of a command SQLite does without a rebuild.
    private func nativeStatements(for command: TableCommand, _ table: SchemaTable, of builder: TableBuilder? = nil) throws -> [String] {
        switch command {
        case .column(let column):
            guard let builder else { return [] }
            return ["alter table \(qualified(table)) add column \(columnDefinition(column, of: builder, in: table))"]
        case .renameColumn(let from, let to):
            return ["alter table \(qualified(table)) rename \(quote(from)) to \(quote(to))"]
        case .index(let index):
            // SQLite has one kind of index: the access method is for other databases.
            return [createIndex(index, on: table, sqliteStyle: true)]
        case .unique(let unique):
            // SQLite's unique keys are unique indexes; it defers foreign keys only.
            return [createIndex(unique.asIndex, on: table, sqliteStyle: true)]
        case .dropIndex(let columns, let name, let ifExists):
            return ["drop index \(ifExists ? "if exists " : "")\(qualified(name ?? implicitName(table, columns, "index"), besides: table))"]
        case .dropUnique(let columns, let name, let ifExists):
            return ["drop index \(ifExists ? "if exists " : "")\(qualified(name ?? implicitName(table, columns, "unique"), besides: table))"]
        default:
            throw SchemaError("\(Self.describe([command])) on table \(table.written) needs a table rebuild on SQLite, which cannot be part of create table")
        }
    }
}
