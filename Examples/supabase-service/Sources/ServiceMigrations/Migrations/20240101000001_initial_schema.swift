import GodwitCore
import GodwitSchema

/// The seed's "use transactions for complex migrations": users and profiles together, or neither.
/// The batch already runs in a transaction, so this block is a savepoint inside it.
struct InitialSchema: SwiftMigration {
    func up(_ db: MigrationDatabase) async throws {
        try await db.transaction { trx in
            try await trx.schema.createTable("users") { table in
                table.increments("id")
                table.string("email")
            }
            try await trx.schema.createTable("profiles") { table in
                table.increments("id")
                table.integer("user_id").references("id").inTable("users")
            }
        }
    }

    func down(_ db: MigrationDatabase) async throws {
        try await db.schema.dropTable("profiles")
        try await db.schema.dropTable("users")
    }
}
