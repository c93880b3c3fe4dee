import GodwitCore

/// What the database's own catalog says about a table: how a user would check a migration's result.
public struct Catalog: Sendable {
    public let kind: DatabaseKind
    public let connection: any DatabaseConnection

    public init(kind: DatabaseKind, connection: any DatabaseConnection) {
        self.kind = kind
        self.connection = connection
    }

    /// Column name → (declared type as the catalog reports it, nullable).
    public func columns(_ table: String) async throws -> [String: (type: String, nullable: Bool)] {
        let rows = kind == .sqlite
            ? try await connection.query(#"SELECT "name", "type", "notnull" = 0 FROM pragma_table_info(?1)"#, [.text(table)])
            : try await connection.query(
                "SELECT column_name, data_type, is_nullable = 'YES' FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
                [.text(table)])
        var columns: [String: (type: String, nullable: Bool)] = [:]
        for row in rows {
            // SQLite writes the types it knows in capitals.
            columns[row[0].text!] = (kind == .sqlite ? row[1].text!.lowercased() : row[1].text!, row[2].integer == 1 || row[2].text == "t" || row[2].text == "true")
        }
        return columns
    }

    /// The names of the table's indexes (PostgreSQL: including those behind unique and primary keys).
    public func indexes(_ table: String) async throws -> Set<String> {
        let sql = kind == .sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL"
            : "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1"
        return Set(try await connection.query(sql, [.text(table)]).map { $0[0].text! })
    }

    /// The table's foreign keys as `column -> table.column`, with their names where the catalog keeps them.
    public func foreignKeys(_ table: String) async throws -> Set<String> {
        if kind == .sqlite {
            return Set(try await connection.query(
                #"SELECT "from" || ' -> ' || "table" || '.' || "to" FROM pragma_foreign_key_list(?1)"#, [.text(table)]
            ).map { $0[0].text! })
        }
        return Set(try await connection.query(
            """
            SELECT a.attname || ' -> ' || c.confrelid::regclass::text || '.' || b.attname
            FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            JOIN pg_attribute b ON b.attrelid = c.confrelid AND b.attnum = c.confkey[1]
            WHERE c.contype = 'f' AND c.conrelid = $1::regclass
            """, [.text(table)]
        ).map { $0[0].text! })
    }

    /// The names of the table's constraints (PostgreSQL's pg_constraint; on SQLite, those named in its
    /// `CREATE TABLE`).
    public func constraintNames(_ table: String) async throws -> Set<String> {
        if kind == .sqlite {
            let sql = try await connection.query("SELECT sql FROM sqlite_master WHERE name = ?1", [.text(table)]).first?[0].text ?? ""
            let names = sql.split(separator: "constraint \"").dropFirst().compactMap { $0.split(separator: "\"").first }
            return Set(names.map(String.init))
        }
        return Set(try await connection.query(
            "SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass", [.text(table)]
        ).map { $0[0].text! })
    }

    public func tableExists(_ table: String) async throws -> Bool {
        let sql = kind == .sqlite
            ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1"
            : "SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = $1"
        return try await !connection.query(sql, [.text(table)]).isEmpty
    }

    public func count(_ table: String) async throws -> Int64 {
        try await connection.query("SELECT count(*) FROM \"\(table)\"")[0][0].integer!
    }
}
