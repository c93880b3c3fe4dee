import GodwitCore

/// Knex's PostgreSQL DDL: `serial primary key`, `varchar(255)`, `timestamptz`, constraints added with
/// `alter table … add constraint`, indexes with `create index`.
struct PostgresSchemaDialect: SchemaDialect {
    let sql: any SQLDialect

    func booleanLiteral(_ value: Bool) -> String { value ? "true" : "false" }

    func regexMatch(_ column: String, pattern: String) -> String { "\(column) ~ \(stringLiteral(pattern))" }

    func type(of type: ColumnType) -> String {
        switch type {
        case .increments: "serial primary key"
        case .bigIncrements: "bigserial primary key"
        case .integer: "integer"
        case .bigInteger: "bigint"
        case .smallint, .tinyint: "smallint"
        case .text: "text"
        case .string(let length): "varchar(\(length))"
        case .float: "real"
        case .double: "double precision"
        case .decimal(let precision?, let scale): "decimal(\(precision), \(scale))"
        case .decimal(nil, _): "decimal"
        case .boolean: "boolean"
        case .date: "date"
        case .datetime(let zoned, let precision), .timestamp(let zoned, let precision):
            (zoned ? "timestamptz" : "timestamp") + (precision.map { "(\($0))" } ?? "")
        case .time: "time"
        case .binary: "bytea"
        case .enumeration(_, let native?): quote(native)
        case .enumeration(_, nil): "text"
        case .json: "json"
        case .jsonb: "jsonb"
        case .uuid: "uuid"
        case .specific(let written): written
        }
    }

    func createTable(_ table: TableBuilder, schema: String?, ifNotExists: Bool) throws -> [String] {
        var before: [String] = []
        var definitions: [String] = []
        var after: [String] = []
        for command in table.commands {
            switch command {
            case .column(let column):
                before += nativeEnumTypes(column, schema: schema)
                definitions.append(columnDefinition(column))
                after += try additions(for: column, table: table.name, schema: schema)
            case .primary:
                break
            case .check(let expression, let name):
                definitions.append(checkConstraint(expression, name: name))
            default:
                after += try statements(for: command, table: table.name, schema: schema)
            }
        }
        definitions += [primaryKeyConstraint(of: table)].compactMap { $0 }
        return before + [createTableStatement(table, schema: schema, ifNotExists: ifNotExists, definitions: definitions)] + after
    }

    func alterTable(_ table: TableBuilder, schema: String?, on db: MigrationDatabase, file: String, line: Int) async throws {
        var statements: [String] = []
        for command in table.commands {
            if case .column(let column) = command {
                statements += nativeEnumTypes(column, schema: schema)
                statements += column.isAlteration
                    ? alterations(of: column, table: table.name, schema: schema)
                    : ["alter table \(qualified(table.name, schema: schema)) add column \(columnDefinition(column))"]
                if let primary = column.primaryKey, !column.type.isIncrements {
                    statements += try self.statements(for: .primary(columns: [column.name], name: primary.name), table: table.name, schema: schema)
                }
                statements += try additions(for: column, table: table.name, schema: schema)
            } else {
                statements += try self.statements(for: command, table: table.name, schema: schema)
            }
        }
        for statement in statements {
            try await db.execute(statement, file: file, line: line)
        }
    }

    func hasTableQuery(schema: String?) -> String {
        "select 1 from information_schema.tables where table_name = $1 and table_schema = "
            + (schema.map(stringLiteral) ?? "current_schema()")
    }

    func hasColumn(_ table: String, _ column: String, schema: String?, on db: MigrationDatabase) async throws -> Bool {
        let query = "select 1 from information_schema.columns where table_name = $1 and column_name = $2 and table_schema = "
            + (schema.map(stringLiteral) ?? "current_schema()")
        return try await !db.read(query, [.text(table), .text(column)]).isEmpty
    }

    // MARK: Pieces

    /// `create type "mood" as enum ('happy', 'sad')` for a native enum column.
    private func nativeEnumTypes(_ column: ColumnBuilder, schema: String?) -> [String] {
        guard case .enumeration(let values, let native?) = column.type else { return [] }
        return ["create type \(qualified(native, schema: schema)) as enum (\(values.map(stringLiteral).joined(separator: ", ")))"]
    }

    /// The unique constraint, index, foreign key and comment a column's modifiers ask for.
    private func additions(for column: ColumnBuilder, table: String, schema: String?) throws -> [String] {
        var statements: [String] = []
        if let unique = column.uniqueKey {
            statements += try self.statements(
                for: .index(columns: [column.name], name: unique.name, unique: true, predicate: nil, indexType: nil),
                table: table, schema: schema)
        }
        if let index = column.indexKey {
            statements += try self.statements(
                for: .index(columns: [column.name], name: index.name, unique: false, predicate: nil, indexType: nil),
                table: table, schema: schema)
        }
        if let key = column.foreignKey {
            statements += try self.statements(for: .foreign(key), table: table, schema: schema)
        }
        if let comment = column.comment {
            statements.append("comment on column \(qualified(table, schema: schema)).\(quote(column.name)) is \(stringLiteral(comment))")
        }
        return statements
    }

    /// Knex's `alter()`: drop the default and `not null`, change the type, then set what the new definition says.
    private func alterations(of column: ColumnBuilder, table: String, schema: String?) -> [String] {
        let prefix = "alter table \(qualified(table, schema: schema)) alter column \(quote(column.name))"
        let type = type(of: column.type)
        var statements = [
            "\(prefix) drop default",
            "\(prefix) drop not null",
            "\(prefix) type \(type) using (\(quote(column.name))::\(type))",
        ]
        if let value = column.defaultValue { statements.append("\(prefix) set default \(literal(value))") }
        if column.isNotNull == true { statements.append("\(prefix) set not null") }
        for check in column.checks {
            statements.append(
                "alter table \(qualified(table, schema: schema)) add "
                    + checkConstraint(check.expression(quotedColumn: quote(column.name), dialect: self), name: check.name))
        }
        return statements
    }

    private func checkConstraint(_ expression: String, name: String?) -> String {
        (name.map { "constraint \(quote($0)) " } ?? "") + "check (\(expression))"
    }

    /// The statements of one table command other than a column.
    private func statements(for command: TableCommand, table: String, schema: String?) throws -> [String] {
        let alter = "alter table \(qualified(table, schema: schema))"
        switch command {
        case .column:
            return []
        case .dropColumns(let columns):
            return ["\(alter) " + columns.map { "drop column \(quote($0))" }.joined(separator: ", ")]
        case .renameColumn(let from, let to):
            return ["\(alter) rename \(quote(from)) to \(quote(to))"]
        case .index(let columns, let name, let unique, let predicate, let indexType):
            if unique, predicate == nil, indexType == nil {
                let name = name ?? implicitName(table, columns, "unique")
                return ["\(alter) add constraint \(quote(name)) unique (\(quoted(columns)))"]
            }
            return [createIndex(
                table: table, schema: schema, columns: columns, name: name, unique: unique, predicate: predicate,
                indexType: indexType)]
        case .dropIndex(let columns, let name, let unique):
            let name = name ?? implicitName(table, columns, unique ? "unique" : "index")
            return unique
                ? ["\(alter) drop constraint \(quote(name))"]
                : ["drop index \(qualified(name, schema: schema))"]
        case .foreign(let key):
            let clause = try foreignKeyClause(key, table: table, schema: schema)
            return ["\(alter) add constraint \(quote(foreignKeyName(key, table: table))) \(clause)"]
        case .dropForeign(let columns, let name):
            return ["\(alter) drop constraint \(quote(name ?? implicitName(table, columns, "foreign")))"]
        case .primary(let columns, let name):
            return ["\(alter) add constraint \(quote(name ?? primaryKeyName(table))) primary key (\(quoted(columns)))"]
        case .dropPrimary(let name):
            return ["\(alter) drop constraint \(quote(name ?? primaryKeyName(table)))"]
        case .setNullable(let column, let nullable):
            return ["\(alter) alter column \(quote(column)) \(nullable ? "drop" : "set") not null"]
        case .check(let expression, let name):
            return ["\(alter) add \(checkConstraint(expression, name: name))"]
        case .dropChecks(let names):
            return names.map { "\(alter) drop constraint \(quote($0))" }
        case .comment(let text):
            return ["comment on table \(qualified(table, schema: schema)) is \(stringLiteral(text))"]
        }
    }
}
