import GodwitCore
import Synchronization

/// Where a schema builder's statements go: a migration's database, or a list when rendering offline
/// (``SchemaBuilder/statements(for:identifiers:_:)``).
enum SchemaTarget: Sendable {
    case database(MigrationDatabase)
    case rendering(RenderedStatements)

    /// The SQL the statements are written in.
    var dialect: any SQLDialect {
        switch self {
        case .database(let db): db.dialect
        case .rendering(let list): list.dialect
        }
    }

    /// Sends the statement, or adds it to the list.
    func execute(_ sql: String, _ bindings: [SQLValue] = [], file: String, line: Int) async throws {
        switch self {
        case .database(let db):
            try await db.execute(sql, bindings, file: file, line: line)
        case .rendering(let list):
            guard bindings.isEmpty else {
                throw SchemaError("\(sql) binds values: rendering offline writes SQL only; bound values need the database")
            }
            list.append(sql)
        }
    }

    /// The database, for an operation that reads it; offline, an error that names the operation.
    func database(for operation: @autoclosure () -> String) throws -> MigrationDatabase {
        switch self {
        case .database(let db): return db
        case .rendering(let list):
            throw SchemaError("\(operation()) needs the database (it reads the catalog), so it cannot be rendered offline for \(list.dialect.name)")
        }
    }
}

/// The statements a builder rendered offline, in order.
final class RenderedStatements: Sendable {
    let dialect: any SQLDialect
    private let list = Mutex<[String]>([])

    init(dialect: any SQLDialect) { self.dialect = dialect }

    func append(_ statement: String) { list.withLock { $0.append(statement) } }

    var statements: [String] { list.withLock { $0 } }
}
