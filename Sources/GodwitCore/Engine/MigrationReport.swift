/// What a migrating command did, for the CLI (or the app) to print.
public struct MigrationReport: Sendable, Equatable {
    /// The outcome.
    public enum Outcome: String, Sendable {
        /// Migrations were applied.
        case applied
        /// Migrations were undone.
        case rolledBack
        /// Nothing was pending.
        case alreadyUpToDate
        /// Nothing was applied, so nothing could be undone.
        case nothingToRollBack
    }

    /// The outcome.
    public let outcome: Outcome
    /// The batch applied or undone (0 when nothing ran).
    public let batch: Int
    /// The migrations applied or undone, in the order they ran.
    public let migrations: [String]

    /// The report of a command in `direction` that found nothing to do.
    static func nothingToDo(_ direction: MigrationDirection) -> MigrationReport {
        MigrationReport(outcome: direction == .up ? .alreadyUpToDate : .nothingToRollBack, batch: 0, migrations: [])
    }
}
