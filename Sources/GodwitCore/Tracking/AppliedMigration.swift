/// A row of `knex_migrations`: a migration recorded as applied.
public struct AppliedMigration: Sendable, Hashable {
    /// The row's `id`, in the order migrations were applied.
    public let id: Int64
    /// The recorded name (a file name, perhaps a Knex `.js` / `.ts` one).
    public let name: String
    /// The batch it was applied in.
    public let batch: Int
    /// When it was applied, in milliseconds since 1970; `nil` if the row has no time.
    public let epochMilliseconds: Int64?

    /// Creates a record.
    public init(id: Int64, name: String, batch: Int, epochMilliseconds: Int64?) {
        self.id = id
        self.name = name
        self.batch = batch
        self.epochMilliseconds = epochMilliseconds
    }
}
