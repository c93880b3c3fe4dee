/// What a migrating command reports while it runs: each migration as it starts and ends, and waits for the
/// lock. The CLI shows it as progress lines; an app may log it.
///
/// Reported on the connection's thread, in order, as it happens; an observer should be quick (write a
/// line, not wait on anything).
public enum MigrationProgress: Sendable, Equatable {
    /// A migration began (up or down).
    case started(name: String, direction: MigrationDirection)
    /// A migration's statements all finished. In a batch that runs in one transaction, it is kept only when
    /// the batch commits: a later failure rolls it back with the rest.
    case finished(name: String, direction: MigrationDirection, duration: Duration)
    /// Another runner holds the migration lock: reported when the wait begins and about every
    /// ``waitReportInterval`` while it lasts.
    ///
    /// - Parameters:
    ///   - holder: who holds it and since when, as far as the database tells (`PostgreSQL backend pid 4242
    ///     (godwit, app@10.0.0.5), in a transaction open since …`, `a Knex runner: knex_migrations_lock.is_locked is 1`).
    ///   - waited: how long this runner has waited so far.
    ///   - limit: how long it waits in all (the lock timeout).
    case waitingForLock(holder: String, waited: Duration, limit: Duration)

    /// A function that receives the progress of a command.
    public typealias Observer = @Sendable (MigrationProgress) -> Void

    /// How often a wait for the lock is reported again.
    public static let waitReportInterval = Duration.seconds(5)
}
