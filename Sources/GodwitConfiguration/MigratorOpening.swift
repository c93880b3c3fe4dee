import GodwitCore
import Logging

extension Configuration {
    /// Loads the migrations, connects, and makes the migrator that the command line and the app's
    /// `MigrationRunner` run commands with.
    ///
    /// A PostgreSQL server is connected to, and the tracking tables read, while the files are read: with
    /// thousands of files, reading them costs about what the handshake and the read do. A failure to load
    /// the migrations is still the one reported, as if nothing had been connected. A SQLite file is opened
    /// only once the migrations loaded: opening creates it, which a command failing on its files should not.
    ///
    /// - Parameters:
    ///   - compiled: migrations compiled into the program, joining the folder's.
    ///   - readingAhead: whether the first command reads the tracking tables and needs the migrations (all
    ///     but `unlock`, which loads no files either).
    ///   - creating: whether a SQLite file that does not exist is created; a command that only reads
    ///     passes `false` and finds an empty database (see ``connect(creating:)``).
    ///   - logger: the migrator's.
    ///   - report: receives each failed attempt while waiting for the database (``waitTimeout``).
    /// - Returns: the migrator, and the tracking tables as read ahead (PostgreSQL), for its first command.
    package func openMigrator(
        compiled: [Migration], readingAhead: Bool = true, creating: Bool = true, logger: Logger,
        report: @escaping @Sendable (String) -> Void
    ) async throws -> (migrator: Migrator, snapshot: TrackingSnapshot?) {
        let (migrations, connection, firstRead) = try await loadAndConnect(
            compiled, readingAhead: readingAhead, creating: creating, report: report)
        let migrator = Migrator(
            connection: connection, migrations: migrations, source: migrationsDirectoryDescription, schema: schema,
            settings: migratorSettings, logger: logger)
        return (migrator, firstRead)
    }

    private func loadAndConnect(
        _ compiled: [Migration], readingAhead: Bool, creating: Bool, report: @escaping @Sendable (String) -> Void
    ) async throws -> ([Migration], any DatabaseConnection, TrackingSnapshot?) {
        @Sendable func open() async throws -> any DatabaseConnection {
            if let waitTimeout {
                try await connect(waitingUpTo: waitTimeout, creating: creating, report: report)
            } else {
                try await connect(creating: creating)
            }
        }
        guard case .postgres = database else {
            return (readingAhead ? try loadMigrations(compiled: compiled) : [], try await open(), nil)
        }
        let schema = schema
        let connecting = Task {
            let connection = try await open()
            return (connection, readingAhead ? await TrackingSnapshot.read(on: connection, schema: schema) : nil)
        }
        let migrations: [Migration]
        do {
            migrations = readingAhead ? try loadMigrations(compiled: compiled) : []
        } catch {
            connecting.cancel()
            throw error
        }
        let (connection, firstRead) = try await withTaskCancellationHandler {
            try await connecting.value
        } onCancel: {
            connecting.cancel()
        }
        return (migrations, connection, firstRead)
    }
}
