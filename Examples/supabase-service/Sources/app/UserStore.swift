import GodwitConfiguration
import GodwitCore
import Hummingbird

/// A row of `users`, as the API returns it.
struct User: ResponseCodable {
    let id: Int64
    let email: String?
    let phone: String?
}

/// The app's reads, on one connection opened once the schema is migrated. An example's data access:
/// a production service would use its own driver (PostgresNIO, say) and a pool; Godwit does not mind.
actor UserStore {
    private let configuration: Configuration
    private var connection: (any DatabaseConnection)?

    init(configuration: Configuration) {
        self.configuration = configuration
    }

    func open() async throws {
        connection = try await configuration.connect()
    }

    func users() async throws -> [User] {
        guard let connection else { throw HTTPError(.serviceUnavailable, message: "starting") }
        return try await connection.query(#"SELECT "id", "email", "phone" FROM "users" ORDER BY "id""#).map { row in
            User(id: row[0].integer ?? 0, email: row[1].text, phone: row[2].text)
        }
    }

    /// Whether the database answers a trivial query.
    func isReachable() async -> Bool {
        guard let connection else { return false }
        return (try? await connection.query("SELECT 1")) != nil
    }
}
