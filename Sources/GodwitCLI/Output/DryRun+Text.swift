import GodwitCore

extension DryRun {
    /// The statements that would run, as a script a reader could run by hand: a comment per migration, then
    /// its statements ending with `;`.
    func lines() -> [String] {
        let kind = rehearsed ? "Rehearsal" : "Dry run"
        let outcome = rehearsed
            ? "run in a transaction that was rolled back; nothing was changed"
            : "nothing was sent to the database"
        guard let direction, !steps.isEmpty else {
            return ["\(kind): nothing to \(direction == .down ? "roll back" : "apply"); nothing was changed"]
        }
        let verb = direction == .up ? "apply" : "roll back"
        let transaction = isSingleTransaction
            ? "in one transaction"
            : "each migration in its own transaction, or none where it runs outside one"
        var lines = [
            "-- \(kind): batch \(batch) would \(verb) \(steps.count) migration\(steps.count == 1 ? "" : "s"), \(transaction); \(outcome)"
        ]
        for step in steps {
            lines.append("")
            let where_ = step.runsInTransaction ? "" : rehearsed ? ", outside a transaction: not run" : ", outside a transaction"
            lines.append("-- \(step.name) (\(direction.rawValue)\(where_))")
            if step.statements.isEmpty { lines.append("-- (no statements)") }
            for statement in step.statements {
                let trimmed = String(statement.trimmingEnd { $0.isWhitespace || $0 == ";" })
                lines.append(trimmed.hasSuffix("*/") || trimmed.hasPrefix("--") ? trimmed : trimmed + ";")
            }
        }
        return lines
    }
}

extension String {
}
