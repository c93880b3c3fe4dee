/// What Godwit sends for a migration's SQL, decided before anything runs.
///
/// A section is read as its database's shell would read it (``SQLDialect/statements(in:)``). What the
/// shell would run differently from Godwit is refused, naming the file and line: a shell command
/// (`\set`, `.mode`), and inside a transactional section a statement that ends Godwit's transaction (with
/// the lock and the batch). What changes nothing is left out, replaced by spaces so that every offset
/// still points into the file: `\restrict` / `\unrestrict` (pg_dump's), `.bail on`, and a `BEGIN` …
/// `COMMIT` pair that wraps the whole section, which Godwit's own transaction stands in for.
enum ScriptPreparation {
    /// A step's script as it is sent, and what to tell the user about it.
    struct Prepared {
        var step: Plan.Step
        var notices: [String] = []
    }

    /// Prepares every step of `plan`: see ``prepare(_:dialect:ownTransaction:)``.
    static func prepare(_ plan: Plan, dialect: any SQLDialect, ownTransactions: Bool) throws -> (plan: Plan, notices: [String]) {
        var plan = plan
        var notices: [String] = []
        for index in plan.steps.indices {
            let prepared = try prepare(plan.steps[index], dialect: dialect, ownTransaction: ownTransactions)
            plan.steps[index] = prepared.step
            notices += prepared.notices
        }
        return (plan, notices)
    }

    /// The step with its script as it is sent and how to send it; unchanged when nothing needs saying.
    ///
    /// - Parameter ownTransaction: run it in a transaction of its own even if its section does not ask.
    /// - Throws: ``GodwitError`` `.invalidMigrationFile` naming the file, the line and what to do.
    static func prepare(_ step: Plan.Step, dialect: any SQLDialect, ownTransaction: Bool) throws -> Prepared {
        let script = step.script
        var handling: Plan.Step.Handling = []
        if script.runsInTransaction, ownTransaction || script.ownTransaction { handling.insert(.ownTransaction) }
        guard script.swift == nil else {
            return Prepared(step: handling.isEmpty ? step : step.prepared(script, handling: handling))
        }
        let statements = dialect.statements(in: script.sql)
        var blanks: [Range<Int>] = []
        var notices: [String] = []
        for statement in statements {
            switch statement.kind {
            case .shellCommand(let name, let harmless):
                guard harmless else { throw refusal(of: statement, in: step, shellCommand: name, dialect: dialect) }
                blanks.append(statement.range)
            case .unsupported(let reason):
                throw refused(statement, in: step, reason, advice: "nothing was run")
            case .copyFromStdin:
                handling.insert(.travelsAlone)
            case .sql, .transactionControl:
                break
            }
            if statement.changesParsing { handling.insert(.travelsAlone) }
            if statement.changesSession { handling.insert(.resetsSession) }
        }
        if script.runsInTransaction {
            let sent = statements.filter { !$0.isShellCommand }
            let controls = sent.filter { if case .transactionControl = $0.kind { true } else { false } }
            if let first = sent.first, let last = sent.last, controls.count == 2,
                first.kind == .transactionControl(.begin), last.kind == .transactionControl(.commit)
            {
                blanks += [first.extent, last.extent]
                notices.append(
                    "\(step.migration.name): its BEGIN … COMMIT are left out; the section runs in Godwit's transaction (all of the batch or none of it)")
            } else if let control = controls.first {
                throw refused(
                    control, in: step,
                    "'\(text(of: control, in: script))' would end the transaction this section runs in, and the batch and the migration lock with it",
                    advice: "a section that controls its own transactions must run outside Godwit's: mark it '-- migrate:\(step.direction.rawValue) transaction:false' (only a BEGIN … COMMIT around the whole section is taken into Godwit's transaction); nothing was run")
            }
        }
        guard !blanks.isEmpty || !handling.isEmpty else { return Prepared(step: step, notices: notices) }
        let sql = blanks.isEmpty ? script.sql : blanking(blanks, in: script.sql)
        return Prepared(step: step.prepared(script.replacingSQL(sql), handling: handling), notices: notices)
    }

    /// `sql` with the bytes in `ranges` replaced by spaces (line breaks kept): the same length and lines.
    static func blanking(_ ranges: [Range<Int>], in sql: String) -> String {
        var bytes = Array(sql.utf8)
        for range in ranges {
            for index in range where bytes[index] != 0x0A { bytes[index] = 0x20 }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func refusal(
        of statement: ScriptStatement, in step: Plan.Step, shellCommand name: String, dialect: any SQLDialect
    ) -> GodwitError {
        let command = text(of: statement, in: step.script)
        if name.hasPrefix(".") {
            return refused(
                statement, in: step, "'\(command)' is a command of the sqlite3 shell, not SQL",
                advice: "remove it, or write what it does as SQL: Godwit sends SQL to the database and runs no dot-commands (it leaves out '.bail on': it always stops at the first error); nothing was run")
        }
        let variables = name == "\\set" ? " (a psql variable: write its value where ':name' or :'name' stands)" : ""
        return refused(
            statement, in: step, "'\(command)' is a psql meta-command, not SQL\(variables)",
            advice: "remove it, or write what it does as SQL: Godwit sends SQL to \(dialect.name) and runs no meta-commands (it leaves out pg_dump's \\restrict and \\unrestrict, which can also be deleted); nothing was run")
    }

    private static func refused(
        _ statement: ScriptStatement, in step: Plan.Step, _ reason: String, advice: String
    ) -> GodwitError {
        let start = step.script.location(ofUTF8Offset: statement.range.lowerBound)
        var context = GodwitError.Context(step.migration, direction: step.direction.rawValue, outcome: "nothing was run", advice: advice)
        context.statement = GodwitError.StatementReference(
            text: step.script.sql.utf8Slice(statement.range), line: start.line, column: start.column, errorLine: nil,
            errorColumn: nil, site: nil)
        return GodwitError(
            code: .invalidMigrationFile, summary: "cannot run \(step.migration.name) as written: \(reason)",
            details: ["file: \(step.migration.path), line \(start.line) (\(step.direction.rawValue))", advice],
            context: context)
    }

    /// The statement's first line, cut at 60 characters.
    private static func text(of statement: ScriptStatement, in script: MigrationScript) -> String {
        let line = script.sql.utf8Slice(statement.range).prefix { $0 != "\n" }
        return line.count > 60 ? line.prefix(60) + "…" : String(line)
    }
}
