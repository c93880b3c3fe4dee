import GodwitCore

/// Knex's PostgreSQL DDL: `serial primary key`, `varchar(255)`, `timestamptz`, constraints added with
/// `alter table … add constraint`, indexes with `create index`, in Knex's order.
struct PostgresSchemaDialect: SchemaDialect {
    let sql: any SQLDialect
    let identifiers: IdentifierMapping

    func booleanLiteral(_ value: Bool) -> String { value ? "true" : "false" }

    func regexMatch(_ column: String, pattern: String) -> String { "\(column) ~ \(stringLiteral(pattern))" }

    func type(of column: ColumnBuilder, in table: SchemaTable, isOwnKey ownKey: Bool) -> String {
        switch column.type {
        case .increments: return "serial" + (ownKey ? " primary key" : "")
        case .bigIncrements: return "bigserial" + (ownKey ? " primary key" : "")
        case .integer: return "integer"
        case .bigInteger: return "bigint"
        case .smallint, .tinyint: return "smallint"
        case .text: return "text"
        case .string(let length): return "varchar(\(length))"
        case .float: return "real"
        case .double: return "double precision"
        case .decimal(let precision?, let scale): return "decimal(\(precision), \(scale))"
        case .decimal(nil, _): return "decimal"
        case .boolean: return "boolean"
        case .date: return "date"
        case .datetime(let zoned, let precision), .timestamp(let zoned, let precision):
            return (zoned ? "timestamptz" : "timestamp") + (precision.map { "(\($0))" } ?? "")
        case .time: return "time"
        case .binary: return "bytea"
        case .enumeration(_, let native?): return enumTypeName(native, table: table)
        case .enumeration(let values, nil):
            return "text check (\(quote(column.name)) in (\(values.map(stringLiteral).joined(separator: ", "))))"
        case .json: return "json"
        case .jsonb: return "jsonb"
        case .uuid: return "uuid" + (ownKey ? " primary key" : "")
        case .specific(let written): return written
        }
    }

    func createTable(_ builder: TableBuilder, _ table: SchemaTable, ifNotExists: Bool) throws -> [String] {
        try createTable(builder, table, ifNotExists: ifNotExists, like: nil)
    }

    /// Knex's `create table`, or with `like`, `create table … (like … including all, columns…)`.
    private func createTable(_ builder: TableBuilder, _ table: SchemaTable, ifNotExists: Bool, like: SchemaTable?) throws -> [String] {
        var types: [String] = []
        var definitions: [String] = []
        var comments: [String] = []
        for case .column(let column) in builder.commands {
            types += nativeEnumTypes(column, table: table)
            definitions.append(columnDefinition(column, of: builder, in: table))
            comments += columnComment(column, table: table)
        }
        definitions += [primaryKeyConstraint(of: builder, table, named: true)].compactMap { $0 } + tableChecks(of: builder)
        let body = like.map { ["like \(qualified($0)) including all"] + definitions } ?? definitions
        var create = "create table \(ifNotExists ? "if not exists " : "")\(qualified(table)) (\(body.joined(separator: ", ")))"
        if let parent = builder.parent { create += " inherits (\(referenced(parent)))" }
        var statements = types + [create] + tableComment(builder, table: table) + comments
        for command in builder.commands {
            switch command {
            case .column, .primary, .check: continue
            default: statements += try self.statements(for: command, table)
            }
        }
        return statements
    }

    func createTableLike(
        _ builder: TableBuilder, _ table: SchemaTable, like: SchemaTable, on target: SchemaTarget, file: String, line: Int
    ) async throws {
        for statement in try createTable(builder, table, ifNotExists: false, like: like) {
            try await target.execute(statement, file: file, line: line)
        }
    }

    func alterTable(_ builder: TableBuilder, _ table: SchemaTable, on target: SchemaTarget, file: String, line: Int) async throws {
        var types: [String] = []
        var added: [String] = []
        var altered: [String] = []
        var comments: [String] = []
        for case .column(let column) in builder.commands {
            types += nativeEnumTypes(column, table: table)
            if column.isAlteration {
                altered += alterations(of: column, table: table)
            } else {
                added.append("add column \(columnDefinition(column, of: builder, in: table))")
            }
            comments += columnComment(column, table: table)
        }
        var statements = types
        if !added.isEmpty { statements.append("alter table \(qualified(table)) \(added.joined(separator: ", "))") }
        statements += altered + comments
        for command in builder.commands {
            if case .column = command { continue }
            statements += try self.statements(for: command, table)
        }
        statements += tableComment(builder, table: table)
        for statement in statements {
            try await target.execute(statement, file: file, line: line)
        }
    }

    func hasTableQuery(schema: String?) -> String {
        "select 1 from information_schema.tables where table_name = $1 and table_schema = "
            + (schema.map(stringLiteral) ?? "current_schema()")
    }

    func hasColumn(_ table: SchemaTable, _ column: String, on db: MigrationDatabase) async throws -> Bool {
        let query = "select 1 from information_schema.columns where table_name = $1 and column_name = $2 and table_schema = "
            + (table.schema.map(stringLiteral) ?? "current_schema()")
        return try await !db.read(query, [.text(identifiers(table.name)), .text(identifiers(column))]).isEmpty
    }

    // MARK: Pieces

    /// `create type "s"."mood" as enum ('happy', 'sad')` for a native enum column, in the type's schema
    /// (Knex's `schemaName`), else the table's.
    private func nativeEnumTypes(_ column: ColumnBuilder, table: SchemaTable) -> [String] {
        guard case .enumeration(let values, let native?) = column.type, !native.exists else { return [] }
        return ["create type \(enumTypeName(native, table: table)) as enum (\(values.map(stringLiteral).joined(separator: ", ")))"]
    }

    private func enumTypeName(_ native: NativeEnum, table: SchemaTable) -> String {
        native.schema.map { quote($0) + "." + quote(native.name) } ?? qualified(native.name, besides: table)
    }

    private func columnComment(_ column: ColumnBuilder, table: SchemaTable) -> [String] {
        guard let comment = column.comment else { return [] }
        return ["comment on column \(qualified(table)).\(quote(column.name)) is \(commentLiteral(comment))"]
    }

    private func tableComment(_ builder: TableBuilder, table: SchemaTable) -> [String] {
        guard let comment = builder.tableComment else { return [] }
        return ["comment on table \(qualified(table)) is \(commentLiteral(comment))"]
    }

    /// Knex's `alter()`: drop the default, with `alterNullable` drop `not null`, with `alterType` change the
    /// type, then set what the new definition says.
    private func alterations(of column: ColumnBuilder, table: SchemaTable) -> [String] {
        let prefix = "alter table \(qualified(table)) alter column \(quote(column.name))"
        var type = type(of: column, in: table, isOwnKey: false)
        var enumCheck: String?
        if case .enumeration(let values, nil) = column.type {
            // Knex writes the check into the type (`type text check (…)`), which PostgreSQL refuses: the type,
            // then the check as a constraint of its own.
            type = "text"
            enumCheck = "alter table \(qualified(table)) add check (\(quote(column.name)) in (\(values.map(stringLiteral).joined(separator: ", "))))"
        }
        var statements = ["\(prefix) drop default"]
        if column.altersNullable { statements.append("\(prefix) drop not null") }
        if column.altersType {
            let cast = if case .enumeration = column.type { "::text::" } else { "::" }
            statements.append("\(prefix) type \(type) using (\(quote(column.name))\(cast)\(type))")
        }
        if let value = column.defaultValue { statements.append("\(prefix) set default \(literal(value))") }
        if column.altersNullable, column.isNotNull == true { statements.append("\(prefix) set not null") }
        if column.altersType, let enumCheck { statements.append(enumCheck) }
        // As Knex: each check of a changed column is a constraint of its own, named `<table>_<column>_<n>`
        // unless named.
        for (index, check) in column.checks.enumerated() {
            let name = check.name ?? "\(table.written)_\(column.name)_\(index + 1)"
            statements.append(
                "alter table \(qualified(table)) add constraint \(quote(name)) check (\(check.expression(quotedColumn: quote(column.name), dialect: self)))")
        }
        return statements
    }

    /// The statements of one table command other than a column.
    private func statements(for command: TableCommand, _ table: SchemaTable) throws -> [String] {
        let alter = "alter table \(qualified(table))"
        switch command {
        case .column:
            return []
        case .dropColumns(let columns):
            return ["\(alter) " + columns.map { "drop column \(quote($0))" }.joined(separator: ", ")]
        case .renameColumn(let from, let to):
            return ["\(alter) rename \(quote(from)) to \(quote(to))"]
        case .index(let index):
            return [createIndex(index, on: table, sqliteStyle: false)]
        case .unique(let unique):
            if unique.isConstraint {
                if unique.predicate != nil {
                    throw SchemaError("the unique key on \(table.written)(\(unique.columns.joined(separator: ", "))) has a predicate, which PostgreSQL's constraints cannot have: use unique(…, useConstraint: false) for a partial unique index")
                }
                let name = unique.name ?? implicitName(table, unique.columns, "unique")
                return ["\(alter) add constraint \(quote(name)) unique (\(quoted(unique.columns)))" + (unique.deferrable?.clause ?? "")]
            }
            if let deferrable = unique.deferrable, deferrable != .notDeferrable {
                throw SchemaError("the unique index on \(table.written)(\(unique.columns.joined(separator: ", "))) cannot be deferrable: PostgreSQL defers constraints, not indexes (drop useConstraint: false)")
            }
            return [createIndex(unique.asIndex, on: table, sqliteStyle: false)]
        case .dropIndex(let columns, let name, let ifExists):
            let name = name ?? implicitName(table, columns, "index")
            return ["drop index \(ifExists ? "if exists " : "")\(qualified(name, besides: table))"]
        case .dropUnique(let columns, let name, let ifExists):
            return ["\(alter) drop constraint \(ifExists ? "if exists " : "")\(quote(name ?? implicitName(table, columns, "unique")))"]
        case .foreign(let key):
            return ["\(alter) add constraint \(quote(foreignKeyName(key, of: table))) \(try foreignKeyClause(key, of: table))"]
        case .dropForeign(let columns, let name, let ifExists):
            return ["\(alter) drop constraint \(ifExists ? "if exists " : "")\(quote(name ?? implicitName(table, columns, "foreign")))"]
        case .primary(let columns, let name, let deferrable):
            return ["\(alter) add constraint \(quote(name ?? primaryKeyName(table))) primary key (\(quoted(columns)))" + (deferrable?.clause ?? "")]
        case .dropPrimary(let name, let ifExists):
            return ["\(alter) drop constraint \(ifExists ? "if exists " : "")\(quote(name ?? primaryKeyName(table)))"]
        case .setNullable(let column, let nullable):
            return ["\(alter) alter column \(quote(column)) \(nullable ? "drop" : "set") not null"]
        case .check(let expression, let name):
            return ["\(alter) add \(checkConstraint(expression, name: name))"]
        case .dropChecks(let names):
            return names.map { "\(alter) drop constraint \(quote($0))" }
        }
    }
}
