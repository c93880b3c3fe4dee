/// A table's name, and the schema it is in when not the connection's default.
public struct TableName: Sendable, Hashable, CustomStringConvertible {
    /// The table's own name, unquoted.
    public var name: String
    /// The schema (PostgreSQL), unquoted; `nil`: the first schema of the search path.
    public var schema: String?
    /// Where the table was found when no ``schema`` is given: Godwit's statements name it there while they
    /// migrate, so that a migration's `search_path` cannot move them. Messages name the table as given.
    package var foundInSchema: String?

    /// Creates a name.
    public init(_ name: String, schema: String? = nil) {
        self.name = name
        self.schema = schema
    }

    /// The same schema, another table.
    public func sibling(_ name: String) -> TableName {
        var sibling = TableName(name, schema: schema)
        sibling.foundInSchema = foundInSchema
        return sibling
    }

    /// `schema.name`, unquoted, for messages.
    public var description: String {
        schema.map { "\($0).\(name)" } ?? name
    }

    /// The name quoted for SQL, schema-qualified when it has a schema.
    public func quoted(in dialect: any SQLDialect) -> String {
        ((schema ?? foundInSchema).map { dialect.quote(identifier: $0) + "." } ?? "") + dialect.quote(identifier: name)
    }
}
