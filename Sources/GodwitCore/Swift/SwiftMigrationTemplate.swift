/// The Swift migration `make --swift` writes: a type conforming to ``SwiftMigration`` with empty `up` and
/// `down`, named after the migration (`create_users` → `CreateUsers`).
public enum SwiftMigrationTemplate {
    /// The file extension of Swift migrations.
    public static let fileExtension = "swift"

    /// The type name for a migration name: its words capitalised and joined (`add-phone_to_users` →
    /// `AddPhoneToUsers`), starting with a letter.
    public static func typeName(for name: String) -> String {
        let words = name.split { $0 == "_" || $0 == "-" }
        let joined = words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return joined.first?.isLetter == true ? joined : "Migration" + joined
    }

    /// The file's text.
    public static func source(typeName: String, fileName: String) -> String {
        """
        import GodwitCore
        import GodwitSchema

        /// \(fileName): recorded in knex_migrations under this file name.
        struct \(typeName): SwiftMigration {
            func up(_ db: MigrationDatabase) async throws {
                // try await db.schema.createTable("users") { table in
                //     table.increments("id")
                //     table.string("email")
                // }
            }

            func down(_ db: MigrationDatabase) async throws {
                // try await db.schema.dropTable("users")
            }
        }

        """
    }
}
