/// A table as a builder call names it, split as Knex splits it: `"auth.users"` is the table `users` of the
/// schema `auth`, in every place a table is named (create, alter, drop, rename, has, references).
struct SchemaTable: Sendable, Equatable {
    /// The name as the call wrote it (`"s.events"`): Knex makes its implicit names from it
    /// (`s_events_email_unique`), without the schema of `withSchema`.
    let written: String
    /// The schema path: `withSchema`'s schema, then the parts of ``written`` before its last dot.
    let schemaPath: [String]
    /// The table's own name: the part of ``written`` after its last dot.
    let name: String

    /// `written`, under the builder's schema `withSchema` when there is one.
    init(_ written: String, withSchema: String?) {
        self.written = written
        var parts = written.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.contains(where: \.isEmpty) { parts = [written] }
        name = parts.removeLast()
        schemaPath = (withSchema.map { [$0] } ?? []) + parts
    }

    /// The schema the table is in, when one is named: the last part of the path.
    var schema: String? { schemaPath.last }

    /// Another table of the same schema (`_godwit_rebuild_users` beside `users`).
    func sibling(_ name: String) -> SchemaTable {
        SchemaTable(written: name, schemaPath: schemaPath, name: name)
    }

    private init(written: String, schemaPath: [String], name: String) {
        self.written = written
        self.schemaPath = schemaPath
        self.name = name
    }
}
