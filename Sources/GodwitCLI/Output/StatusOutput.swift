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
    }

    struct Pending: Encodable {
        let name: String
    }

    let completed: [Completed]
    let pending: [Pending]

    init(_ state: MigrationState) {
        completed = state.completed.map { entry in
            Completed(
                name: entry.record.name, batch: entry.record.batch,
                migration_time: entry.record.epochMilliseconds.map(MigrationTime.iso8601(epochMilliseconds:)),
                file_present: entry.migration == nil ? false : nil)
        }
        pending = state.pending.map { Pending(name: $0.name) }
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
            lines += completed.map { $0.file_present == false ? "\($0.name) (file missing)" : $0.name }
        }
        if pending.isEmpty {
            lines.append("No Pending Migration files Found.")
        } else {
            lines.append("Found \(pending.count) Pending Migration file/files.")
            lines += pending.map(\.name)
        }
        return lines
    }

    /// A table of what is applied (batch, time, name) and what is pending.
    func statusLines(database: String, directory: String) -> [String] {
        var lines = ["Database: \(database)", "Migrations: \(directory)", ""]
        lines.append(completed.isEmpty ? "Applied: none" : "Applied (\(completed.count)):")
        for entry in completed {
            let time = entry.migration_time ?? "-"
            let note = entry.file_present == false ? "  (file missing)" : ""
            lines.append("  batch \(entry.batch)  \(time)  \(entry.name)\(note)")
        }
        lines.append(pending.isEmpty ? "Pending: none" : "Pending (\(pending.count)):")
        lines += pending.map { "  \($0.name)" }
        return lines
    }
}
