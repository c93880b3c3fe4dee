import GodwitCore

/// A Swift migration made of closures, for tests.
public struct SwiftCode: SwiftMigration {
    public let runsInTransaction: Bool
    let upBody: @Sendable (MigrationDatabase) async throws -> Void
    let downBody: @Sendable (MigrationDatabase) async throws -> Void

    public init(
        runsInTransaction: Bool = true, up: @escaping @Sendable (MigrationDatabase) async throws -> Void,
        down: @escaping @Sendable (MigrationDatabase) async throws -> Void = { _ in }
    ) {
        self.runsInTransaction = runsInTransaction
        self.upBody = up
        self.downBody = down
    }

    public func up(_ db: MigrationDatabase) async throws { try await upBody(db) }
    public func down(_ db: MigrationDatabase) async throws { try await downBody(db) }
}

extension Migration {
    /// A Swift migration named `name` made of closures.
    public static func swift(
        _ name: String, runsInTransaction: Bool = true, up: @escaping @Sendable (MigrationDatabase) async throws -> Void,
        down: @escaping @Sendable (MigrationDatabase) async throws -> Void = { _ in }
    ) -> Migration {
        Migration(name: name, swift: SwiftCode(runsInTransaction: runsInTransaction, up: up, down: down), checksum: nil)
    }
}
