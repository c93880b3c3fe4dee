#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GodwitCore

/// `status` and `list` output: text for people, JSON for programs.
struct StatusOutput: Encodable {
    struct Completed: Encodable {
        let name: String
        let batch: Int
        let migration_time: String?
        /// Present (and `false`) only when the file is gone.
        let file_present: Bool?
        /// Present (and `true`) only when the file changed since it was applied.
        let edited: Bool?
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
        /// `PostgreSQL postgres://user:***@host/db` or `SQLite path`.
        let url: String
        let environment: String
        let schema: String?
        let tls: String?
        let pooler: String?
    }

    let completed: [Completed]
    let pending: [Pending]
    /// Omitted when empty.
    let interrupted: [Interrupted]?
    /// Omitted by `list`.
    var database: Database?

    init(_ state: MigrationState) {
        let edited = Set(state.edited.map(\.record.id))
        completed = state.completed.map { entry in
            Completed(
                name: entry.record.name, batch: entry.record.batch,
                migration_time: entry.record.epochMilliseconds.map(MigrationTime.iso8601(epochMilliseconds:)),
                file_present: entry.migration == nil ? false : nil, edited: edited.contains(entry.record.id) ? true : nil)
        }
        pending = state.pending.map { Pending(name: $0.name) }
        let interrupted = state.interrupted.map { entry in
            Interrupted(
                name: entry.name, direction: entry.direction.rawValue, statements_done: entry.statementsDone,
                statement_count: entry.statementCount, failure: entry.failure)
        }
        self.interrupted = interrupted.isEmpty ? nil : interrupted
    }

    private static func note(_ entry: Completed) -> String {
        entry.file_present == false ? " (file missing)" : entry.edited == true ? " (edited since applied)" : ""
    }

    private var interruptedLines: [String] {
        (interrupted ?? []).map { entry in
            "\(entry.name) (interrupted while \(entry.direction == "up" ? "applying" : "rolling back"): \(entry.statements_done) of \(entry.statement_count) statements completed)"
        }
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Knex's `migrate:list` lines.
    func listLines() -> [String] {
        var lines: [String] = []
        if completed.isEmpty {
            lines.append("No Completed Migration files Found.")
        } else {
            lines.append("Found \(completed.count) Completed Migration file/files.")
            lines += completed.map { $0.name + Self.note($0) }
        }
        if pending.isEmpty {
            lines.append("No Pending Migration files Found.")
        } else {
            lines.append("Found \(pending.count) Pending Migration file/files.")
            lines += pending.map(\.name)
        }
        return lines + interruptedLines
    }

    /// A table of what is applied (batch, time, name) and what is pending, after where and how.
    func statusLines(directory: String) -> [String] {
        var lines: [String] = []
        if let database {
            lines.append("Database: \(database.url)")
            if let schema = database.schema { lines.append("Schema: \(schema) (tracking tables)") }
            if let tls = database.tls { lines.append("TLS: \(tls)") }
            if let pooler = database.pooler { lines.append("Pooler: \(pooler)") }
        }
        lines += ["Migrations: \(directory)", ""]
        lines.append(completed.isEmpty ? "Applied: none" : "Applied (\(completed.count)):")
        for entry in completed {
            let time = entry.migration_time ?? "-"
            lines.append("  batch \(entry.batch)  \(time)  \(entry.name)\(Self.note(entry))")
        }
        lines.append(pending.isEmpty ? "Pending: none" : "Pending (\(pending.count)):")
        lines += pending.map { "  \($0.name)" }
        if !interruptedLines.isEmpty {
            lines.append("Interrupted (run latest or rollback for what to do):")
            lines += interruptedLines.map { "  " + $0 }
        }
        return lines
    }
}
