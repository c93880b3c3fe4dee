#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GodwitCore

/// `status` and `list` output: text for people, JSON for programs.
///
/// The text is made line by line from the state as it is written, so 10,000 applied migrations are never
/// held as 10,000 lines.
struct StatusOutput {
    /// The JSON document.
    struct Document: Encodable {
        let completed: [Completed]
        let pending: [Pending]
        /// Omitted when empty.
        let interrupted: [Interrupted]?
        /// Omitted by `list`.
        let database: Database?
    }

    struct Completed: Encodable {
        let name: String
        let batch: Int
        let migration_time: String?
        /// Present (and `false`) only when the file is gone.
        let file_present: Bool?
        /// Present (and `true`) only when the file changed since it was applied.
        let edited: Bool?
        /// Present only when the file that stands for it has another name than the record (`001_x.sql` for
        /// Knex's `001_x.js`).
        let file: String?
    }

    struct Pending: Encodable {
        let name: String
    }

    /// A `transaction:false` migration that did not finish.
    struct Interrupted: Encodable {
        let name: String
        let direction: String
        let statements_done: Int
        let statement_count: Int
        let failure: String?
    }

    /// Where the tables are and how they were reached (`status` only).
    struct Database: Encodable {
        /// The database, for people: `PostgreSQL postgres://user:***@host/db` or `SQLite path`.
        let description: String
        /// `{"kind":"sqlite","path":…,"exists":…}` or `{"kind":"postgresql","url":…,"host":…,…}`.
        let target: Target
        let environment: String
        let schema: String?
        let tls: ConnectionDetails.TLS?
        let pooler: ConnectionDetails.Pooler?

        private enum CodingKeys: String, CodingKey { case environment, schema, tls, pooler }

        /// The target's fields, then the rest: `{"kind":"sqlite","path":…,"exists":…,"environment":…}`.
        func encode(to encoder: any Encoder) throws {
            try target.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(environment, forKey: .environment)
            try container.encodeIfPresent(schema, forKey: .schema)
            try container.encodeIfPresent(tls, forKey: .tls)
            try container.encodeIfPresent(pooler, forKey: .pooler)
        }
    }

    /// The database's address, field by field (no password).
    struct Target: Encodable {
        let kind: String
        /// SQLite: the file.
        var path: String?
        /// SQLite: whether the file exists (a command that only reads does not create it).
        var exists: Bool?
        /// PostgreSQL: the URL with the password masked.
        var url: String?
        var host: String?
        var port: String?
        var database: String?
        var user: String?
    }

    let state: MigrationState
    /// Omitted by `list`.
    var database: Database?
    /// The ids of applied migrations whose file changed since.
    private let edited: Set<Int64>

    init(_ state: MigrationState) {
        self.state = state
        edited = Set(state.edited.map(\.record.id))
    }

    /// Applied migrations are named as `knex_migrations` records them; the file that stands for one is named
    /// beside it when its name differs (Knex's `001_x.js`, now `001_x.sql`).
    private func note(_ entry: MigrationState.Completed) -> String {
        guard let migration = entry.migration else { return " (file missing)" }
        let file = migration.name == entry.record.name ? "" : " (file \(migration.name))"
        return file + (edited.contains(entry.record.id) ? " (edited since applied)" : "")
    }

    private func interruptedLine(_ entry: InterruptedMigration) -> String {
        "\(entry.name) (interrupted while \(entry.direction == .up ? "applying" : "rolling back"): \(entry.statementsDone) of \(entry.statementCount) statements completed)"
    }

    func json() throws -> String {
        let document = Document(
            completed: state.completed.map { entry in
                Completed(
                    name: entry.record.name, batch: entry.record.batch,
                    migration_time: entry.record.epochMilliseconds.map(MigrationTime.iso8601(epochMilliseconds:)),
                    file_present: entry.migration == nil ? false : nil,
                    edited: edited.contains(entry.record.id) ? true : nil,
                    file: entry.migration.flatMap { $0.name == entry.record.name ? nil : $0.name })
            },
            pending: state.pending.map { Pending(name: $0.name) },
            interrupted: state.interrupted.isEmpty ? nil : state.interrupted.map { entry in
                Interrupted(
                    name: entry.name, direction: entry.direction.rawValue, statements_done: entry.statementsDone,
                    statement_count: entry.statementCount, failure: entry.failure)
            },
            database: database)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self)
    }

    /// Knex's `migrate:list` lines, each given to `line`.
    func list(_ line: (String) -> Void) {
        if state.completed.isEmpty {
            line("No Completed Migration files Found.")
        } else {
            line("Found \(state.completed.count) Completed Migration file/files.")
            for entry in state.completed { line(entry.record.name + note(entry)) }
        }
        if state.pending.isEmpty {
            line("No Pending Migration files Found.")
        } else {
            line("Found \(state.pending.count) Pending Migration file/files.")
            for migration in state.pending { line(migration.name) }
        }
        for entry in state.interrupted { line(interruptedLine(entry)) }
    }

    /// A table of what is applied (batch, time, name) and what is pending, after where and how, each line
    /// given to `line`.
    ///
    /// - Parameter missing: what to say of a database that does not exist yet.
    /// - Parameter colors: applied migrations in green, pending ones in yellow, edited, gone and
    ///   interrupted ones in red.
    func status(directory: String, missing: String?, colors: Bool = false, _ line: (String) -> Void) {
        if let database {
            line("Database: \(database.description)\(missing.map { " (\($0))" } ?? "")")
            if let schema = database.schema { line("Schema: \(schema) (tracking tables)") }
            if let tls = database.tls { line("TLS: \(tls.description)") }
            if let pooler = database.pooler { line("Pooler: \(pooler.description)") }
        }
        line("Migrations: \(directory)")
        line("")
        line(state.completed.isEmpty ? "Applied: none" : "Applied (\(state.completed.count)):")
        for entry in state.completed {
            let time = entry.record.epochMilliseconds.map(MigrationTime.iso8601(epochMilliseconds:)) ?? "-"
            let note = note(entry)
            let style: TextStyle = entry.migration == nil || edited.contains(entry.record.id) ? .failure : .done
            line("  batch \(entry.record.batch)  \(time)  \(style.apply(entry.record.name + note, colors))")
        }
        line(state.pending.isEmpty ? "Pending: none" : "Pending (\(state.pending.count)):")
        for migration in state.pending { line("  \(TextStyle.pending.apply(migration.name, colors))") }
        if !state.interrupted.isEmpty {
            line("Interrupted (run latest or rollback for what to do):")
            for entry in state.interrupted { line("  " + TextStyle.failure.apply(interruptedLine(entry), colors)) }
        }
    }
}

extension ConnectionDetails.TLS: Encodable {
    private enum CodingKeys: String, CodingKey {
        case protocolVersion = "protocol", sslMode = "sslmode", certificateVerified = "verified", hostVerified = "host_verified"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(protocolVersion, forKey: .protocolVersion)
        try container.encode(sslMode, forKey: .sslMode)
        try container.encode(certificateVerified, forKey: .certificateVerified)
        try container.encode(hostVerified, forKey: .hostVerified)
    }
}

extension ConnectionDetails.Pooler: Encodable {
    private enum CodingKeys: String, CodingKey { case detected, kind, mode }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(detected, forKey: .detected)
        try container.encode(kind, forKey: .kind)
        try container.encode(mode, forKey: .mode)
    }
}
