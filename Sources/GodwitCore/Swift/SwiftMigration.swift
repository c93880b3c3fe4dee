/// A migration written in Swift: Knex's `up` and `down` functions.
///
/// Write one per file, named like any migration (`20261125093000_create_users.swift`); the Godwit plugin
/// finds it and records it under that file name, never under the type's name.
///
/// ```swift
/// import GodwitSchema
///
/// struct CreateUsers: SwiftMigration {
///     func up(_ db: MigrationDatabase) async throws {
///         try await db.schema.createTable("users") { table in
///             table.increments("id")
///             table.string("email")
///         }
///     }
///
///     func down(_ db: MigrationDatabase) async throws {
///         try await db.schema.dropTable("users")
///     }
/// }
/// ```
public protocol SwiftMigration: Sendable {
    /// Whether the migration runs in the batch's transaction (Knex's `config.transaction`). Return `false`
    /// for statements that refuse a transaction (`CREATE INDEX CONCURRENTLY`). Default: `true`.
    var runsInTransaction: Bool { get }

    /// Applies the migration.
    func up(_ db: MigrationDatabase) async throws

    /// Undoes it.
    func down(_ db: MigrationDatabase) async throws
}

extension SwiftMigration {
    public var runsInTransaction: Bool { true }
}

extension Migration {
    /// A migration compiled into the executable, recorded under `name`, the file name of its source
    /// (`20261125093000_create_users.swift`).
    ///
    /// - Parameters:
    ///   - name: the source file's name with its extension.
    ///   - migration: the migration's code.
    ///   - path: the source file's path, for messages.
    ///   - checksum: the ``MigrationChecksum`` of the source file's text as 64 hex digits, so that edits
    ///     after it was applied are noticed; the Godwit plugin computes it when it builds the registry.
    public init(name: String, swift migration: some SwiftMigration, path: String? = nil, checksum: String? = nil) {
        let transactional = migration.runsInTransaction
        self.init(
            name: name,
            up: MigrationScript(swift: { db in try await migration.up(db) }, runsInTransaction: transactional),
            down: MigrationScript(swift: { db in try await migration.down(db) }, runsInTransaction: transactional),
            path: path ?? name, checksum: checksum.map { MigrationChecksum(hex: $0) ?? .unreadable })
    }
}
