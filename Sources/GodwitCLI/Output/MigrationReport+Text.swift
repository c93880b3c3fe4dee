import GodwitCore

extension MigrationReport {
    /// The lines Knex prints for the same outcome, so scripts that read Knex's output keep working.
    func lines(singleStep: Bool) -> [String] {
        switch outcome {
        case .alreadyUpToDate:
            return ["Already up to date"]
        case .nothingToRollBack:
            return ["Already at the base migration"]
        case .applied:
            let header = singleStep
                ? "Batch \(batch) ran the following migrations:"
                : "Batch \(batch) run: \(migrations.count) migrations"
            return [header] + migrations
        case .rolledBack:
            let header = singleStep
                ? "Batch \(batch) rolled back the following migrations:"
                : "Batch \(batch) rolled back: \(migrations.count) migrations"
            return [header] + migrations
        }
    }
}
