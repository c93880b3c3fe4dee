import GodwitCore
import GodwitSchema

/// The seed's "adding a column".
struct AddPhoneToUsers: SwiftMigration {
    func up(_ db: MigrationDatabase) async throws {
        try await db.schema.table("users") { table in
            table.string("phone").nullable()
        }
    }

    func down(_ db: MigrationDatabase) async throws {
        try await db.schema.table("users") { table in
            table.dropColumn("phone")
        }
    }
}
