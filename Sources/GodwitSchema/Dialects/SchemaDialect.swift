import GodwitCore

/// How one database spells Knex's schema operations: the differences between databases, in one place.
///
/// ``SchemaBuilder`` picks the dialect that matches the connection's ``GodwitCore/SQLDialect``.
protocol SchemaDialect: Sendable {
    /// The connection's dialect, which quotes identifiers.
    var sql: any SQLDialect { get }
    /// How names written in a migration become the names the database holds.
    var identifiers: IdentifierMapping { get }
    /// `true` or `false` as this database writes them in a default or a check.
    func booleanLiteral(_ value: Bool) -> String
    /// `column` matches `pattern`, as a check expression.
    func regexMatch(_ column: String, pattern: String) -> String
    /// The column type, in this database's words, for a column of `table`; `isOwnKey`: the column is the
    /// table's primary key by its type (``SchemaDialect/isOwnPrimaryKey(_:in:)``).
    func type(of column: ColumnBuilder, in table: SchemaTable, isOwnKey: Bool) -> String
    /// The statements that create `table` as `builder` describes it.
    func createTable(_ builder: TableBuilder, _ table: SchemaTable, ifNotExists: Bool) throws -> [String]
    /// Creates `table` with the columns of `like` and what `builder` adds (Knex's `createTableLike`).
    func createTableLike(
        _ builder: TableBuilder, _ table: SchemaTable, like: SchemaTable, on target: SchemaTarget, file: String, line: Int
    ) async throws
    /// Changes `table` as the builder's commands say, sending the statements to `target` (SQLite reads the
    /// table first when it must rebuild it).
    func alterTable(_ builder: TableBuilder, _ table: SchemaTable, on target: SchemaTarget, file: String, line: Int) async throws
    /// A query with one row per table named `$1`/`?1` in `schema` (or the current one).
    func hasTableQuery(schema: String?) -> String
    /// The statements that create the view `qualifiedName`, replacing one of that name.
    func createOrReplaceView(_ qualifiedName: String, columns: String, query: String) -> [String]
    /// Whether `column` exists in `table`.
    func hasColumn(_ table: SchemaTable, _ column: String, on db: MigrationDatabase) async throws -> Bool
    /// Whether an auto-incrementing or `uuid(primaryKey: true)` column of `builder` is its own primary key.
    func isOwnPrimaryKey(_ column: ColumnBuilder, in builder: TableBuilder) -> Bool
}

extension SchemaDialect {
    /// The identifier as the database holds it, quoted.
    func quote(_ identifier: String) -> String { sql.quote(identifier: identifiers(identifier)) }

    /// A name read from the database, quoted as it is (no mapping: it is the database's already).
    func quoteStored(_ identifier: String) -> String { sql.quote(identifier: identifier) }

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
    func qualified(_ table: SchemaTable) -> String {
        (table.schemaPath + [table.name]).map(quote).joined(separator: ".")
    }

    /// Another object (an index, a type) named `name` in `table`'s schema.
    func qualified(_ name: String, besides table: SchemaTable) -> String {
        (table.schemaPath + [name]).map(quote).joined(separator: ".")
    }

    /// A table named as written in a reference (`users`, `auth.users`), split as Knex splits it: never under
    /// the builder's `withSchema`.
    func referenced(_ written: String) -> String {
        qualified(SchemaTable(written, withSchema: nil))
    }

    func quoted(_ columns: [String]) -> String {
        columns.map(quote).joined(separator: ", ")
    }

    /// Knex's implicit names: `users_email_index`, `users_email_unique`, `posts_user_id_foreign`, lowercased,
    /// with `.` and `-` made `_`, from the table's name as written.
    func implicitName(_ table: SchemaTable, _ columns: [String], _ suffix: String) -> String {
        let base = table.written.replacing(".", with: "_").replacing("-", with: "_")
        return ([base] + columns + [suffix]).joined(separator: "_").lowercased()
    }

    /// Knex's primary key name: `<table>_pkey`.
    func primaryKeyName(_ table: SchemaTable) -> String { implicitName(table, [], "pkey") }

    func stringLiteral(_ text: String) -> String {
        "'" + text.replacing("'", with: "''") + "'"
    }

    /// A comment as Knex quotes it: a lone `'` doubled, a doubled `''` kept as it is.
    func commentLiteral(_ text: String) -> String {
        var escaped = ""
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            if characters[index] == "'" {
                escaped += "''"
                index += index + 1 < characters.count && characters[index + 1] == "'" ? 2 : 1
            } else {
                escaped.append(characters[index])
                index += 1
            }
        }
        return "'" + escaped + "'"
    }

    /// `"name" type modifiers…`, as in `create table` and `add column`, for a column of `builder`.
    func columnDefinition(_ column: ColumnBuilder, of builder: TableBuilder, in table: SchemaTable) -> String {
        let type = type(of: column, in: table, isOwnKey: !column.isAlteration && isOwnPrimaryKey(column, in: builder))
        return ([quote(column.name), type] + modifiers(of: column)).joined(separator: " ")
    }

    /// Whether the table's commands name its primary key (`primary(…)`, on the table or a column).
    func namesPrimaryKey(_ builder: TableBuilder) -> Bool {
        builder.commands.contains { if case .primary = $0 { true } else { false } }
    }

    /// Whether an auto-incrementing or `uuid(primaryKey: true)` column is its own primary key: as Knex's
    /// `_canBeAddPrimaryKey`, only when the table does not name its primary key with `primary(…)`.
    func isOwnPrimaryKey(_ column: ColumnBuilder, in builder: TableBuilder) -> Bool {
        column.type.asksToBePrimaryKey && !namesPrimaryKey(builder)
    }

    /// The first `primary(…)` command, as Knex writes it inside `create table`; `nil` when there is none.
    /// `asUnique` writes it as a unique key instead (SQLite's, beside an `increments` column).
    func primaryKeyConstraint(of builder: TableBuilder, _ table: SchemaTable, named alwaysNamed: Bool, asUnique: Bool = false) -> String? {
        for command in builder.commands {
            guard case .primary(let columns, let name, let deferrable) = command else { continue }
            let constraint = alwaysNamed || name != nil ? "constraint \(quote(name ?? primaryKeyName(table))) " : ""
            return constraint + (asUnique ? "unique" : "primary key") + " (\(quoted(columns)))" + (deferrable?.clause ?? "")
        }
        return nil
    }

    /// The table's `check(…)` commands, as definitions of `create table`.
    func tableChecks(of builder: TableBuilder) -> [String] {
        builder.commands.compactMap { command in
            guard case .check(let expression, let name) = command else { return nil }
            return checkConstraint(expression, name: name)
        }
    }

    func checkConstraint(_ expression: String, name: String?) -> String {
        (name.map { "constraint \(quote($0)) " } ?? "") + "check (\(expression))"
    }

    /// The modifiers that follow a column's type: nullability, default, checks. An auto-incrementing
    /// column takes none of nullability and default, as in Knex.
    func modifiers(of column: ColumnBuilder) -> [String] {
        var parts: [String] = []
        if !column.type.isIncrements {
            switch column.isNotNull {
            case true?: parts.append("not null")
            case false?: parts.append("null")
            case nil: break
            }
            if let value = column.defaultValue { parts.append("default " + literal(value)) }
        }
        for check in column.checks {
            let expression = check.expression(quotedColumn: quote(column.name), dialect: self)
            parts.append(checkConstraint(expression, name: check.name))
        }
        return parts
    }

    /// `foreign key ("user_id") references "users" ("id")` with Knex's PostgreSQL spacing, or SQLite's
    /// (`foreign key("user_id") references "users"("id")`), then when it is checked and its actions in the
    /// order Knex writes them for the database. The referenced table is as written: Knex does not put it
    /// under `withSchema`.
    func foreignKeyClause(_ key: ForeignKey, of table: SchemaTable, sqliteStyle: Bool = false) throws -> String {
        guard let referenced = key.table, !key.referencedColumns.isEmpty else {
            throw SchemaError(
                "the foreign key on \(table.written)(\(key.columns.joined(separator: ", "))) names no referenced table: add .references(\"id\").inTable(\"users\") or .references(\"users.id\")")
        }
        let space = sqliteStyle ? "" : " "
        // SQLite's foreign keys name a table of the same database: no schema.
        let target = sqliteStyle ? quote(SchemaTable(referenced, withSchema: nil).name) : self.referenced(referenced)
        var clause = "foreign key\(space)(\(quoted(key.columns))) references \(target)\(space)(\(quoted(key.referencedColumns)))"
        let update = key.updateAction.map { " on update \($0.rawValue)" } ?? ""
        let delete = key.deleteAction.map { " on delete \($0.rawValue)" } ?? ""
        clause += sqliteStyle ? delete + update : (key.deferrable?.clause ?? "") + update + delete
        if sqliteStyle, let deferrable = key.deferrable { clause += deferrable.clause }
        return clause
    }

    func foreignKeyName(_ key: ForeignKey, of table: SchemaTable) -> String {
        key.name ?? implicitName(table, key.columns, "foreign")
    }

    /// `create [unique] index "name" on "table" [using method] ("a", "b") [where predicate]`. PostgreSQL puts
    /// the index in its table's schema (`on "s"."t"`); SQLite names the schema on the index (`index
    /// "s"."name" on "t"`), which is `sqliteStyle`. The access method is PostgreSQL's only.
    func createIndex(_ index: IndexDefinition, on table: SchemaTable, sqliteStyle: Bool) -> String {
        let name = index.name ?? implicitName(table, index.columns, index.nameSuffix)
        let target = sqliteStyle ? "\(qualified(name, besides: table)) on \(quote(table.name))" : "\(quote(name)) on \(qualified(table))"
        var statement = "create \(index.isUnique ? "unique " : "")index \(target)"
        if !sqliteStyle, let method = index.method { statement += " using \(method)" }
        statement += " (\(quoted(index.columns)))"
        if let predicate = index.predicate { statement += " where \(predicate)" }
        return statement
    }
}

/// The schema dialect for a connection's SQL dialect.
func schemaDialect(for dialect: any SQLDialect, identifiers: IdentifierMapping) throws -> any SchemaDialect {
    switch dialect.family {
    case .postgreSQL: PostgresSchemaDialect(sql: dialect, identifiers: identifiers)
    case .sqlite: SQLiteSchemaDialect(sql: dialect, identifiers: identifiers)
    default: throw SchemaError("the schema builder does not know \(dialect.name)'s SQL: write the migration's SQL with db.execute")
    }
}
