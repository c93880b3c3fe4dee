import ArgumentParser
import Dispatch
import GodwitCore

/// The question a destructive command asks before it undoes migrations outside `development`: only of a
/// person (standard input and standard error are terminals), never of a script, a container or CI, which
/// run on as Knex does. `--yes` skips it.
enum Confirmation {
    /// Whether to go on undoing `names` in `environment`; asks only when a person is there to answer.
    ///
    /// - Throws: `ExitCode.failure` when the answer is not yes (nothing was undone, and it says so).
    static func confirmUndoing(_ names: [String], environment: String, skip: Bool) async throws {
        guard !skip, environment != "development", !names.isEmpty, Terminal.inputIsTerminal, Terminal.errorIsTerminal else { return }
        let colors = Terminal.colorsErrors
        let shown = names.count > 20 ? Array(names.prefix(20)) + ["… and \(names.count - 20) more"] : names
        Console.error(
            TextStyle.failure.apply("This undoes \(names.count) migration\(names.count == 1 ? "" : "s") in \(environment):", colors))
        Console.error(shown.map { "  \($0)" }.joined(separator: "\n"))
        Console.openLine("Undo \(names.count == 1 ? "it" : "them")? Type yes to go on (--yes skips this question): ")
        let answer = await readLine()
        guard let answer, ["y", "yes"].contains(answer.split(whereSeparator: \.isWhitespace).joined().lowercased()) else {
            if answer == nil { Console.closeLine("") } else { Console.lineEnded() }
            Console.error("Nothing was undone.")
            throw ExitCode.failure
        }
        Console.lineEnded()
    }

    /// A line from standard input, read on a queue of its own (a person may take minutes to answer;
    /// no thread of Swift's pool waits for them). `nil` at the end of the input.
    private static func readLine() async -> String? {
        await withCheckedContinuation { continuation in
            DispatchQueue(label: "godwit.answer").async { continuation.resume(returning: Swift.readLine()) }
        }
    }
}
