/// How the schema builder turns the names a migration writes into the names the database holds: Knex's
/// `wrapIdentifier` hook, for a project that writes `firstName` in code and keeps `first_name` in tables.
///
/// The mapping applies to every identifier the builder writes (tables, columns, schemas, and the names of
/// indexes and constraints), just before it is quoted, as Knex's hook does. Knex makes its implicit names
/// from the names as written and lowercases them first, and so does Godwit, so the index below is
/// `userprofiles_displayname_index` with Knex and with Godwit:
///
/// ```swift
/// let schema = db.schema.mappingIdentifiers(.snakeCase)
/// try await schema.createTable("userProfiles") { table in
///     table.increments("id")
///     table.string("displayName").index()   // "user_profiles"."display_name"
/// }
/// ```
///
/// A project-wide mapping is one extension away:
/// `extension MigrationDatabase { var appSchema: SchemaBuilder { schema.mappingIdentifiers(.snakeCase) } }`.
///
/// SQL written as is (`raw`, `defaultTo(.raw(…))`, checks and view queries) is not changed.
public struct IdentifierMapping: Sendable {
    private let transform: @Sendable (String) -> String

    /// A mapping of your own: it gets each name as written and returns the name to quote.
    public init(_ transform: @escaping @Sendable (String) -> String) {
        self.transform = transform
    }

    /// The name as written (Knex's default).
    public static let asWritten = IdentifierMapping { $0 }

    /// `camelCase` to `snake_case`: `firstName` → `first_name`, `userID` → `user_id`, `HTMLPage` → `html_page`;
    /// names already in snake case stay as they are.
    public static let snakeCase = IdentifierMapping { name in
        var result = ""
        let characters = Array(name)
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                let startsWord = previous.isLowercase || previous.isNumber
                    || (previous.isUppercase && next?.isLowercase == true)
                if startsWord, previous != "_" { result.append("_") }
            }
            result += character.lowercased()
        }
        return result
    }

    /// The name to quote for `name`.
    public func callAsFunction(_ name: String) -> String { transform(name) }
}
