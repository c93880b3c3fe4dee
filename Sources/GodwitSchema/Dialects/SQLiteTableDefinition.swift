/// A SQLite `CREATE TABLE` statement taken apart into its columns and table constraints, so that a table
/// can be rebuilt with one of them changed (SQLite's `ALTER TABLE` cannot drop a foreign key, say).
///
/// Each part is kept as SQLite stores it, as tokens: what is not changed is written back as it was.
struct SQLiteTableDefinition {
    /// A column: its name and the tokens of its definition after the name.
    struct Column {
        var name: String
        var tokens: [String]
    }

    /// The columns, in order.
    var columns: [Column]
    /// Table constraints, as tokens.
    var constraints: [[String]]
    /// What follows the column list: `WITHOUT ROWID`, `STRICT`.
    var options: [String]

    /// Takes apart a `CREATE TABLE` statement from `sqlite_master`.
    ///
    /// - Throws: ``SchemaError`` when it has no column list (`CREATE TABLE … AS SELECT`).
    init(parsing sql: String) throws {
        let tokens = SQLiteTokens.split(sql)
        guard let body = tokens.firstIndex(where: { $0.hasPrefix("(") }) else {
            throw SchemaError("cannot read the definition of a table created with CREATE TABLE … AS: \(sql)")
        }
        options = Array(tokens[(body + 1)...])
        columns = []
        constraints = []
        for item in SQLiteTokens.items(inParentheses: tokens[body]) where !item.isEmpty {
            if SQLiteTableDefinition.constraintKeywords.contains(item[0].uppercased()) {
                constraints.append(item)
            } else {
                columns.append(Column(name: SQLiteTokens.unquote(item[0]), tokens: Array(item.dropFirst())))
            }
        }
    }

    private static let constraintKeywords: Set<String> = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]

    /// The `CREATE TABLE` statement for this definition under `qualifiedName` (quoted already).
    func createStatement(qualifiedName: String, quote: (String) -> String) -> String {
        let items = columns.map { SQLiteTokens.join([quote($0.name)] + $0.tokens) }
            + constraints.map(SQLiteTokens.join)
        return "CREATE TABLE \(qualifiedName) (\(items.joined(separator: ", ")))"
            + (options.isEmpty ? "" : " " + SQLiteTokens.join(options))
    }

    // MARK: Reading constraints

    /// A table constraint's name, if it has one.
    static func name(of constraint: [String]) -> String? {
        constraint.count > 1 && constraint[0].uppercased() == "CONSTRAINT" ? SQLiteTokens.unquote(constraint[1]) : nil
    }

    /// A table constraint's kind (`PRIMARY`, `UNIQUE`, `CHECK`, `FOREIGN`) and its column list.
    static func kind(of constraint: [String]) -> (kind: String, columns: [String]) {
        let start = name(of: constraint) == nil ? 0 : 2
        guard start < constraint.count else { return ("", []) }
        let kind = constraint[start].uppercased()
        let list = constraint[start...].first { $0.hasPrefix("(") }
        let columns = kind == "CHECK" ? [] : list.map(SQLiteTokens.identifiers(inParentheses:)) ?? []
        return (kind, columns)
    }

    /// Whether a constraint or column definition mentions `column` anywhere (a check's expression, say).
    static func mentions(_ tokens: [String], column: String) -> Bool {
        tokens.contains { token in
            token.hasPrefix("(")
                ? mentions(SQLiteTokens.split(String(token.dropFirst().dropLast())), column: column)
                : SQLiteTokens.unquote(token).lowercased() == column.lowercased()
        }
    }

    // MARK: Changing column definitions

    /// Removes the column's inline `[CONSTRAINT name] PRIMARY KEY …` clause; returns whether it had one.
    static func removePrimaryKey(from tokens: inout [String]) -> Bool {
        guard let start = keywordPair(in: tokens, "PRIMARY", "KEY") else { return false }
        var end = start + 2
        while end < tokens.count {
            let word = tokens[end].uppercased()
            if ["ASC", "DESC", "AUTOINCREMENT"].contains(word) {
                end += 1
            } else if word == "ON", end + 2 < tokens.count, tokens[end + 1].uppercased() == "CONFLICT" {
                end += 3
            } else {
                break
            }
        }
        tokens.removeSubrange(withConstraintName(tokens, start)..<end)
        return true
    }

    /// Removes the column's inline `[CONSTRAINT name] REFERENCES …` clause; returns whether it had one.
    static func removeReferences(from tokens: inout [String], named name: String? = nil) -> Bool {
        guard let start = tokens.firstIndex(where: { $0.uppercased() == "REFERENCES" }) else { return false }
        let first = withConstraintName(tokens, start)
        if let name, first == start || SQLiteTokens.unquote(tokens[start - 1]) != name { return false }
        var end = start + 2
        if end < tokens.count, tokens[end].hasPrefix("(") { end += 1 }
        while end < tokens.count {
            let word = tokens[end].uppercased()
            if word == "ON", end + 2 < tokens.count {
                end += ["SET", "NO"].contains(tokens[end + 2].uppercased()) ? 4 : 3
            } else if word == "MATCH" {
                end += 2
            } else if word == "NOT", end + 1 < tokens.count, tokens[end + 1].uppercased() == "DEFERRABLE" {
                end += 2
            } else if word == "DEFERRABLE" || word == "INITIALLY" && end + 1 < tokens.count {
                end += word == "INITIALLY" ? 2 : 1
            } else {
                break
            }
        }
        tokens.removeSubrange(first..<min(end, tokens.count))
        return true
    }

    /// Removes an inline `CONSTRAINT name CHECK (…)`; returns whether it had one.
    static func removeCheck(named name: String, from tokens: inout [String]) -> Bool {
        guard let start = tokens.indices.first(where: { index in
            tokens[index].uppercased() == "CONSTRAINT" && index + 2 < tokens.count
                && SQLiteTokens.unquote(tokens[index + 1]) == name && tokens[index + 2].uppercased() == "CHECK"
        }) else { return false }
        tokens.removeSubrange(start..<min(start + 4, tokens.count))
        return true
    }

    /// Sets the column's nullability: removes `NOT NULL` / `NULL` clauses, then adds `NOT NULL` if asked.
    static func setNotNull(_ notNull: Bool, in tokens: inout [String]) {
        var index = 0
        while index < tokens.count {
            let word = tokens[index].uppercased()
            if word == "NOT", index + 1 < tokens.count, tokens[index + 1].uppercased() == "NULL" {
                var end = index + 2
                if end < tokens.count, tokens[end].uppercased() == "ON" { end += 3 }
                tokens.removeSubrange(withConstraintName(tokens, index)..<min(end, tokens.count))
            } else if word == "NULL", index == 0 || !["DEFAULT", "IS"].contains(tokens[index - 1].uppercased()) {
                tokens.remove(at: index)
            } else {
                index += 1
            }
        }
        if notNull { tokens += ["NOT", "NULL"] }
    }

    /// Whether a column definition says `NOT NULL`.
    static func isNotNull(_ tokens: [String]) -> Bool {
        keywordPair(in: tokens, "NOT", "NULL") != nil
    }

    /// Puts the type of the definition `old` in place of the type of `tokens` (Knex's `alterType: false`):
    /// the type is what comes before the first constraint.
    static func replaceType(of tokens: inout [String], with old: [String]) {
        tokens.replaceSubrange(0..<typeEnd(tokens), with: old[0..<typeEnd(old)])
    }

    private static func typeEnd(_ tokens: [String]) -> Int {
        let constraintStarts: Set<String> = [
            "CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE", "REFERENCES", "GENERATED", "AS",
        ]
        return tokens.firstIndex { constraintStarts.contains($0.uppercased()) } ?? tokens.count
    }

    /// Where a clause at `start` begins, counting a `CONSTRAINT name` just before it.
    private static func withConstraintName(_ tokens: [String], _ start: Int) -> Int {
        start >= 2 && tokens[start - 2].uppercased() == "CONSTRAINT" ? start - 2 : start
    }

    private static func keywordPair(in tokens: [String], _ first: String, _ second: String) -> Int? {
        tokens.indices.first { index in
            tokens[index].uppercased() == first && index + 1 < tokens.count && tokens[index + 1].uppercased() == second
        }
    }
}
