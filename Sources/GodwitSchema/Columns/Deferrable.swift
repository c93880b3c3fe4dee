/// When a key is checked (Knex's `deferrable`): at each statement, or when the transaction commits.
///
/// ```swift
/// table.integer("user_id").references("users.id").deferrable(.deferred)
/// table.unique(["a", "b"], deferrable: .immediate)
/// ```
public enum Deferrable: String, Sendable, Equatable {
    /// `deferrable initially immediate`: checked at each statement unless `SET CONSTRAINTS … DEFERRED`.
    case immediate
    /// `deferrable initially deferred`: checked at commit.
    case deferred
    /// `not deferrable`, PostgreSQL's default, written out. (Knex writes `deferrable initially not
    /// deferrable`, which PostgreSQL refuses.)
    case notDeferrable = "not deferrable"

    /// The clause, with its leading space.
    var clause: String {
        switch self {
        case .immediate, .deferred: " deferrable initially \(rawValue)"
        case .notDeferrable: " not deferrable"
        }
    }
}
