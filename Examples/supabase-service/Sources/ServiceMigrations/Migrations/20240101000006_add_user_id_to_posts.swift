import GodwitCore
import GodwitSchema

/// The seed's "adding a foreign key": posts_user_id_foreign, dropped again before its column.
struct AddUserIdToPosts: SwiftMigration {
    func up(_ db: MigrationDatabase) async throws {
        try await db.schema.table("posts") { table in
            table.integer("user_id").references("id").inTable("users")
        }
    }

    func down(_ db: MigrationDatabase) async throws {
        try await db.schema.table("posts") { table in
            table.dropForeign("user_id")
            table.dropColumn("user_id")
        }
    }
}
