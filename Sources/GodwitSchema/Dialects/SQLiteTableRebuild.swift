import GodwitCore

/// What SQLite's `ALTER TABLE` cannot do (drop a column with a key, change a type or a `NOT NULL`, add or
/// drop a foreign key, a primary key or a check), done as Knex does it and as SQLite's documentation
/// describes (https://www.sqlite.org/lang_altertable.html#otheralter): create the new table, copy the
/// rows, drop the old table, rename the new one, create its indexes and triggers again, then check its
/// foreign keys.
extension SQLiteSchemaDialect {
    func rebuild(
        _ table: SchemaTable, of builder: TableBuilder, applying commands: [TableCommand], on db: MigrationDatabase,
        file: String, line: Int
    ) async throws {
        let master = "\(table.schema.map { quoteStored($0) + "." } ?? "")sqlite_master"
        let storedName = identifiers(table.name)
        let found = try await db.read("select sql from \(master) where type = 'table' and name = ?1", [.text(storedName)], file: file, line: line)
        guard let sql = found.first?.first?.text else {
            guard db.sendsStatements else {
                // A dry run sends nothing: a table that an earlier migration of the batch creates is not there.
                return try await db.execute(
                    "-- SQLite rebuilds \(table.written) here (new table, copy, drop, rename); its statements depend on the table as the migrations before leave it: 'latest --rehearse' shows them",
                    file: file, line: line)
            }
            throw SchemaError("cannot change table \(table.written): it does not exist")
        }
        var definition = try SQLiteTableDefinition(parsing: sql)
        let original = definition.columns.filter { !Self.isGenerated($0) }.map(\.name)
        var dropped: [String] = []
        for command in commands {
            try apply(command, to: &definition, table: table, of: builder, dropped: &dropped)
        }
        let copied = original.filter { name in !dropped.contains { $0.lowercased() == name.lowercased() } }
        let others = try await db.read(
            "select type, sql from \(master) where type in ('index', 'trigger') and tbl_name = ?1 and sql is not null",
            [.text(storedName)], file: file, line: line)
        let recreated = others.compactMap { row -> String? in
            guard let sql = row[1].text else { return nil }
            let tokens = SQLiteTokens.split(sql)
            // An index on a dropped column goes with it, as in PostgreSQL.
            if row[0].text == "index", let body = tokens.firstIndex(where: { $0.hasPrefix("(") }),
                dropped.contains(where: { SQLiteTableDefinition.mentions(Array(tokens[body...]), column: $0) })
            {
                return nil
            }
            return sql
        }

        let foreignKeysOn = try await db.read("PRAGMA foreign_keys", file: file, line: line).first?.first?.integer == 1
        if foreignKeysOn, db.isInTransaction {
            throw SchemaError(
                "cannot rebuild table \(table.written) to apply this change: PRAGMA foreign_keys is ON and a transaction is open, and SQLite ignores turning it off inside a transaction; dropping the old table would then delete or refuse rows that refer to it. Turn foreign keys on after the migrations, or run this migration outside a transaction (runsInTransaction = false)")
        }
        let qualifiedTable = qualifiedStored(storedName, schema: table.schema)
        let temporary = qualifiedStored("_godwit_rebuild_\(storedName)", schema: table.schema)
        let columnList = copied.map(quoteStored).joined(separator: ", ")
        var statements = [
            definition.createStatement(qualifiedName: temporary, quote: quoteStored),
            "INSERT INTO \(temporary) (\(columnList)) SELECT \(columnList) FROM \(qualifiedTable)",
            "DROP TABLE \(qualifiedTable)",
            // Renaming in legacy mode leaves views and triggers that name the table as they are.
            "PRAGMA legacy_alter_table = ON",
            "ALTER TABLE \(temporary) RENAME TO \(quoteStored(storedName))",
            "PRAGMA legacy_alter_table = OFF",
        ]
        statements += recreated
        let run: (MigrationDatabase) async throws -> Void = { db in
            for statement in statements {
                try await db.execute(statement, file: file, line: line)
            }
            try await checkForeignKeys(of: table, on: db, file: file, line: line)
        }
        if db.isInTransaction {
            try await run(db)
            return
        }
        if foreignKeysOn { try await db.execute("PRAGMA foreign_keys = OFF", file: file, line: line) }
        do {
            try await db.transaction(file: file, line: line) { try await run($0) }
        } catch {
            if foreignKeysOn { try? await db.execute("PRAGMA foreign_keys = ON", file: file, line: line) }
            throw error
        }
        if foreignKeysOn { try await db.execute("PRAGMA foreign_keys = ON", file: file, line: line) }
    }

    /// SQLite's last step: the rebuilt table's rows must still satisfy its foreign keys.
    private func checkForeignKeys(of table: SchemaTable, on db: MigrationDatabase, file: String, line: Int) async throws {
        guard !db.isDryRun else { return }
        let prefix = table.schema.map { quoteStored($0) + "." } ?? ""
        let violations = try await db.read("PRAGMA \(prefix)foreign_key_check(\(quote(table.name)))", file: file, line: line)
        guard let first = violations.first else { return }
        throw SchemaError(
            "after rebuilding table \(table.written), \(violations.count) row\(violations.count == 1 ? "" : "s") break its foreign keys (the first: rowid \(first[1].text ?? "?") refers to a missing row of \(first[2].text ?? "?")); the change was not made")
    }

    private func apply(
        _ command: TableCommand, to definition: inout SQLiteTableDefinition, table: SchemaTable, of builder: TableBuilder,
        dropped: inout [String]
    ) throws {
        switch command {
        case .column(let column) where column.isAlteration:
            let index = try columnIndex(column.name, in: definition, table: table)
            let old = definition.columns[index].tokens
            var new = Array(SQLiteTokens.split(columnDefinition(column, of: builder, in: table)).dropFirst())
            if !column.altersType { SQLiteTableDefinition.replaceType(of: &new, with: old) }
            if !column.altersNullable { SQLiteTableDefinition.setNotNull(SQLiteTableDefinition.isNotNull(old), in: &new) }
            definition.columns[index].tokens = new
        case .column(let column):
            definition.columns.append(.init(
                name: identifiers(column.name), tokens: Array(SQLiteTokens.split(columnDefinition(column, of: builder, in: table)).dropFirst())))
        case .dropColumns(let names):
            for name in names {
                let index = try columnIndex(name, in: definition, table: table)
                let stored = definition.columns[index].name
                definition.columns.remove(at: index)
                definition.constraints.removeAll { constraint in
                    let (kind, columns) = SQLiteTableDefinition.kind(of: constraint)
                    return kind == "CHECK"
                        ? SQLiteTableDefinition.mentions(constraint, column: stored)
                        : columns.contains { $0.lowercased() == stored.lowercased() }
                }
                dropped.append(stored)
            }
        case .foreign(let key):
            definition.constraints.append(SQLiteTokens.split(try foreignKeyConstraint(key, of: table)))
        case .dropForeign(let columns, let name, let ifExists):
            try dropForeign(columns: columns, name: name, ifExists: ifExists, from: &definition, table: table)
        case .primary(let columns, let name, _):
            let constraint = (name.map { "constraint \(quote($0)) " } ?? "") + "primary key (\(quoted(columns)))"
            definition.constraints.insert(SQLiteTokens.split(constraint), at: 0)
        case .dropPrimary(_, let ifExists):
            if let index = definition.constraints.firstIndex(where: { SQLiteTableDefinition.kind(of: $0).kind == "PRIMARY" }) {
                definition.constraints.remove(at: index)
            } else if !definition.columns.indices.contains(where: { SQLiteTableDefinition.removePrimaryKey(from: &definition.columns[$0].tokens) }),
                !ifExists
            {
                throw SchemaError("cannot drop the primary key of \(table.written): it has none")
            }
        case .setNullable(let column, let nullable):
            let index = try columnIndex(column, in: definition, table: table)
            SQLiteTableDefinition.setNotNull(!nullable, in: &definition.columns[index].tokens)
        case .check(let expression, let name):
            definition.constraints.append(SQLiteTokens.split(checkConstraint(expression, name: name)))
        case .dropChecks(let names):
            for name in names {
                let stored = identifiers(name)
                if let index = definition.constraints.firstIndex(where: { SQLiteTableDefinition.name(of: $0) == stored }) {
                    definition.constraints.remove(at: index)
                } else if !definition.columns.indices.contains(where: { SQLiteTableDefinition.removeCheck(named: stored, from: &definition.columns[$0].tokens) }) {
                    throw SchemaError("cannot drop check \(name) of \(table.written): there is no constraint of that name")
                }
            }
        case .renameColumn, .index, .unique, .dropIndex, .dropUnique:
            break
        }
    }

    /// `"schema"."name"` for names as the database holds them.
    private func qualifiedStored(_ name: String, schema: String?) -> String {
        (schema.map { quoteStored($0) + "." } ?? "") + quoteStored(name)
    }

    /// Drops the foreign key named `name` (else Knex's name for `columns`), or else the one on `columns`.
    private func dropForeign(
        columns: [String], name: String?, ifExists: Bool, from definition: inout SQLiteTableDefinition, table: SchemaTable
    ) throws {
        let wanted = identifiers(name ?? implicitName(table, columns, "foreign")).lowercased()
        if let index = definition.constraints.firstIndex(where: { SQLiteTableDefinition.name(of: $0)?.lowercased() == wanted }) {
            definition.constraints.remove(at: index)
            return
        }
        if definition.columns.indices.contains(where: { SQLiteTableDefinition.removeReferences(from: &definition.columns[$0].tokens, named: wanted) }) {
            return
        }
        if name == nil {
            let lowered = columns.map { identifiers($0).lowercased() }
            if let index = definition.constraints.firstIndex(where: { constraint in
                let (kind, keyColumns) = SQLiteTableDefinition.kind(of: constraint)
                return kind == "FOREIGN" && keyColumns.map { $0.lowercased() } == lowered
            }) {
                definition.constraints.remove(at: index)
                return
            }
            if lowered.count == 1, let index = definition.columns.firstIndex(where: { $0.name.lowercased() == lowered[0] }),
                SQLiteTableDefinition.removeReferences(from: &definition.columns[index].tokens)
            {
                return
            }
        }
        if ifExists { return }
        throw SchemaError(
            "cannot drop foreign key \(name ?? implicitName(table, columns, "foreign")) of \(table.written): there is none of that name\(name == nil ? " or on (\(columns.joined(separator: ", ")))" : "")")
    }

    private func columnIndex(_ name: String, in definition: SQLiteTableDefinition, table: SchemaTable) throws -> Int {
        let stored = identifiers(name).lowercased()
        guard let index = definition.columns.firstIndex(where: { $0.name.lowercased() == stored }) else {
            throw SchemaError("column \(name) of table \(table.written) does not exist")
        }
        return index
    }

    /// Generated columns compute their own values: they are not copied.
    private static func isGenerated(_ column: SQLiteTableDefinition.Column) -> Bool {
        column.tokens.contains { $0.uppercased() == "GENERATED" }
            || column.tokens.indices.contains { column.tokens[$0].uppercased() == "AS" && $0 + 1 < column.tokens.count && column.tokens[$0 + 1].hasPrefix("(") }
    }
}
