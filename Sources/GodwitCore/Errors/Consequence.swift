/// The sentences that say what a failure or a stop left, in one place, from the same lists that fill a
/// failure's typed ``GodwitError/Outcome`` (kept, rolled back, not run): every runner says them in these words.
enum Consequence {
    /// A failure before any migration ran: "nothing was applied" / "nothing was undone".
    static func nothing(_ direction: MigrationDirection) -> String {
        direction == .up ? "nothing was applied" : "nothing was undone"
    }

    /// A batch in one transaction that failed: all of it rolled back, with the lock.
    static func batchRolledBack(_ direction: MigrationDirection) -> String {
        direction == .up
            ? "nothing from this batch was applied: the transaction was rolled back and the lock is free"
            : "nothing from this batch was undone: the transaction was rolled back and the lock is free"
    }

    /// A step of a step-by-step batch that failed: what was kept before it, the step rolled back (when it ran
    /// in a transaction), what did not run.
    static func failedStep(_ direction: MigrationDirection, kept: [String], rolledBack: String?, notRun: [String]) -> String {
        var parts = ["\(direction.pastTense) before the failure and kept: \(list(kept))"]
        if let rolledBack { parts.append("\(rolledBack) was rolled back") }
        if !notRun.isEmpty { parts.append("not run: \(notRun.joined(separator: ", "))") }
        return parts.joined(separator: "; ")
    }

    /// A step-by-step batch stopped (SIGTERM, a cancelled task) between migrations.
    static func stopped(_ direction: MigrationDirection, kept: [String], notRun: [String]) -> String {
        "\(direction.pastTense) before the stop and kept: \(list(kept)); not run: \(notRun.joined(separator: ", ")); the lock is free"
    }

    /// A statement of a `transaction:false` section that failed (`index` is 0-based): what of it completed, and
    /// the two ways on.
    static func outsideTransaction(
        _ direction: MigrationDirection, _ consequence: String, failedStatement index: Int, of count: Int
    ) -> String {
        let command = direction.command
        let completed = index == 0 ? "no statement of it completed" : "its statements 1–\(index) of \(count) completed and stay in effect"
        return [
            consequence, completed,
            "check the database, then either keep what completed and run the rest with 'godwit \(command) --resume' (statements \(index + 1)–\(count)), or undo it by hand and run it all again with 'godwit \(command) --restart'",
        ].joined(separator: "; ")
    }

    /// A `transaction:false` migration whose statements all ran, then whose record failed.
    static func unrecorded(_ consequence: String) -> String {
        consequence + "; its statements all ran but it is not recorded: run the command again with --resume to record it"
    }

    private static func list(_ names: [String]) -> String {
        names.isEmpty ? "none" : names.joined(separator: ", ")
    }
}

extension MigrationDirection {
    /// "applied" / "rolled back", for messages.
    var pastTense: String { self == .up ? "applied" : "rolled back" }
}
