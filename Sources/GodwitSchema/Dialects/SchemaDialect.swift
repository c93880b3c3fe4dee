import GodwitCore

/// How one database spells Knex's schema operations: the differences between databases, in one place.
///
/// ``SchemaBuilder`` picks the dialect that matches the connection's ``GodwitCore/SQLDialect``.
protocol SchemaDialect: Sendable {
    /// The connection's dialect, which quotes identifiers.
    var sql: any SQLDialect { get }
    /// `true` or `false` as this database writes them in a default or a check.
    func booleanLiteral(_ value: Bool) -> String
    /// `column` matches `pattern`, as a check expression.
    func regexMatch(_ column: String, pattern: String) -> String
    /// The column type, in this database's words.
    func type(of type: ColumnType) -> String
    /// The statements that create `table`.
    func createTable(_ table: TableBuilder, schema: String?, ifNotExists: Bool) throws -> [String]
    /// Changes `table` as its commands say, sending the statements through `db` (SQLite reads the table
    /// first when it must rebuild it).
    func alterTable(_ table: TableBuilder, schema: String?, on db: MigrationDatabase, file: String, line: Int) async throws
    /// A query with one row per table named `$1`/`?1` in `schema` (or the current one).
    func hasTableQuery(schema: String?) -> String
    /// The statements that create the view `qualifiedName`, replacing one of that name.
    func createOrReplaceView(_ qualifiedName: String, columns: String, query: String) -> [String]
    /// Whether `column` exists in `table`.
    func hasColumn(_ table: String, _ column: String, schema: String?, on db: MigrationDatabase) async throws -> Bool
}

extension SchemaDialect {
    func quote(_ identifier: String) -> String { sql.quote(identifier: identifier) }

    /// A default value or check value as a literal.
    func literal(_ value: DefaultValue) -> String {
        switch value {
        case .string(let text): stringLiteral(text)
        case .integer(let number): String(number)
        case .double(let number): String(number)
        case .boolean(let flag): booleanLiteral(flag)
        case .raw(let sql): sql
        case .null: "null"
        }
    }

    /// `create or replace view`.
    func createOrReplaceView(_ qualifiedName: String, columns: String, query: String) -> [String] {
        ["create or replace view \(qualifiedName)\(columns) as \(query)"]
    }

    /// `"schema"."table"`, or `"table"`.
    func qualified(_ name: String, schema: String?) -> String {
        schema.map { quote($0) + "." + quote(name) } ?? quote(name)
    }

    func quoted(_ columns: [String]) -> String {
        columns.map(quote).joined(separator: ", ")
    }

    /// Knex's implicit names: `users_email_index`, `users_email_unique`, `posts_user_id_foreign`, lowercased,
    /// with `.` and `-` made `_`.
    func implicitName(_ table: String, _ columns: [String], _ suffix: String) -> String {
        let base = table.replacing(".", with: "_").replacing("-", with: "_")
        return ([base] + columns + [suffix]).joined(separator: "_").lowercased()
    }

    /// Knex's primary key name: `<table>_pkey`.
    func primaryKeyName(_ table: String) -> String { implicitName(table, [], "pkey") }

    func stringLiteral(_ text: String) -> String {
        "'" + text.replacing("'", with: "''") + "'"
    }

    /// `"name" type modifiers…`, as in `create table` and `add column`.
    func columnDefinition(_ column: ColumnBuilder) -> String {
        ([quote(column.name), type(of: column.type)] + modifiers(of: column)).joined(separator: " ")
    }

    /// `create table [if not exists] "name" (definitions…)`.
    func createTableStatement(_ table: TableBuilder, schema: String?, ifNotExists: Bool, definitions: [String]) -> String {
        "create table \(ifNotExists ? "if not exists " : "")\(qualified(table.name, schema: schema)) (\(definitions.joined(separator: ", ")))"
    }

    /// `constraint "users_pkey" primary key ("a", "b")` for the columns marked primary and the table's
    /// `primary` commands, in their order (the last name given wins); `nil` when there are none. An
    /// increments column is its own primary key.
    func primaryKeyConstraint(of table: TableBuilder) -> String? {
        var columns: [String] = []
        var name: String?
        for command in table.commands {
            switch command {
            case .column(let column):
                guard let primary = column.primaryKey, !column.type.isIncrements else { continue }
                columns.append(column.name)
                name = primary.name ?? name
            case .primary(let primaryColumns, let primaryName):
                columns += primaryColumns
                name = primaryName ?? name
            default:
                continue
            }
        }
        guard !columns.isEmpty else { return nil }
        return "constraint \(quote(name ?? primaryKeyName(table.name))) primary key (\(quoted(columns)))"
    }

    /// The modifiers that follow a column's type: nullability, default, checks.
    func modifiers(of column: ColumnBuilder) -> [String] {
        var parts: [String] = []
        switch column.isNotNull {
        case true?: parts.append("not null")
        case false?: parts.append("null")
        case nil: break
        }
        if let value = column.defaultValue { parts.append("default " + literal(value)) }
        for check in column.checks {
            let expression = check.expression(quotedColumn: quote(column.name), dialect: self)
            parts.append((check.name.map { "constraint \(quote($0)) " } ?? "") + "check (\(expression))")
        }
        if case .enumeration(let values, nil) = column.type {
            parts.append("check (\(quote(column.name)) in (\(values.map(stringLiteral).joined(separator: ", "))))")
        }
        return parts
    }

    /// `foreign key ("user_id") references "users" ("id") on delete CASCADE`.
    func foreignKeyClause(_ key: ForeignKey, table: String, schema: String?) throws -> String {
        guard let referenced = key.table, !key.referencedColumns.isEmpty else {
            throw SchemaError(
                "the foreign key on \(table)(\(key.columns.joined(separator: ", "))) names no referenced table: add .references(\"id\").inTable(\"users\") or .references(\"users.id\")")
        }
        var clause = "foreign key (\(quoted(key.columns))) references \(qualified(referenced, schema: schema)) (\(quoted(key.referencedColumns)))"
        if let action = key.deleteAction { clause += " on delete \(action.rawValue)" }
        if let action = key.updateAction { clause += " on update \(action.rawValue)" }
        if key.deferred { clause += " deferrable initially deferred" }
        return clause
    }

    func foreignKeyName(_ key: ForeignKey, table: String) -> String {
        key.name ?? implicitName(table, key.columns, "foreign")
    }

    /// `create [unique] index "name" on "table" [using method] ("a", "b") [where predicate]`.
    func createIndex(
        table: String, schema: String?, columns: [String], name: String?, unique: Bool, predicate: String?,
        indexType: String?
    ) -> String {
        let name = name ?? implicitName(table, columns, unique ? "unique" : "index")
        var statement = "create \(unique ? "unique " : "")index \(quote(name)) on \(qualified(table, schema: schema))"
        if let indexType { statement += " using \(indexType)" }
        statement += " (\(quoted(columns)))"
        if let predicate { statement += " where \(predicate)" }
        return statement
    }
}

/// The schema dialect for a connection's SQL dialect.
func schemaDialect(for dialect: any SQLDialect) throws -> any SchemaDialect {
    switch dialect.family {
    case .postgreSQL: PostgresSchemaDialect(sql: dialect)
    case .sqlite: SQLiteSchemaDialect(sql: dialect)
    default: throw SchemaError("the schema builder does not know \(dialect.name)'s SQL: write the migration's SQL with db.execute")
    }
}
