/// The names new migrations are recorded under in `knex_migrations`, for databases that Knex runners share.
///
/// A Knex runner looks for each of its files (`002_data.js`) by exact name. During a rolling deploy from
/// Node to Swift, old replicas run Knex with `.js` files while new ones run Godwit with `.sql` files of the
/// same stems: had Godwit recorded `002_data.sql`, a Knex runner that waited on Godwit's lock would find no
/// `002_data.js` and run the migration again. Recorded as `002_data.js`, the work is seen as done by both
/// (Godwit matches records to files by stem).
public enum KnexNaming: Sendable, Equatable {
    /// The extension of the newest record a Knex runner wrote, when the history holds one; else the
    /// files' own names. The default: safe while Knex runners remain, and the same as ``fileNames`` on a
    /// database Knex never touched.
    case automatic
    /// The files' own names (`002_data.sql`): once the Node runners are gone.
    case fileNames
    /// `<stem><extension>` always (`.js`): a fresh database that Knex runners will share.
    case knex(extension: String)

    /// The extensions Knex loads migrations from by default, as recorded names carry them.
    public static let extensions: Set<String> = [".js", ".cjs", ".mjs", ".ts", ".cts", ".mts"]

    /// The extension to record new migrations with, given what the history holds; `nil`: their own names.
    func recordExtension(in state: MigrationState) -> String? {
        switch self {
        case .automatic: state.knexExtension
        case .fileNames: nil
        case .knex(let fileExtension): fileExtension
        }
    }
}
