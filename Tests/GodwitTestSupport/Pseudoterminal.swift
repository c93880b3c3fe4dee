import Foundation

/// The built `godwit` run in a pseudo-terminal, as a person runs it: standard input, output and error are
/// one terminal (util-linux's `script` makes it), and what the process writes comes back as one stream.
public final class Pseudoterminal: Sendable {
    private let process: RunningGodwit

    private init(_ process: RunningGodwit) {
        self.process = process
    }

    /// Starts `godwit arguments` in a new terminal; `input` is typed into it (a line buffered by the
    /// terminal until the program reads it), then the end of input.
    public static func start(
        _ arguments: [String], in directory: URL, environment: [String: String] = [:], input: String = ""
    ) async throws -> Pseudoterminal {
        func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let command = ([godwitBinary().path] + arguments).map(quoted).joined(separator: " ")
        var variables = environment
        variables["SHELL"] = "/bin/sh"
        variables["GODWIT_TTY_INPUT"] = input
        variables["GODWIT_TTY_COMMAND"] = command
        let process = try await RunningGodwit(
            ["-c", #"printf %s "$GODWIT_TTY_INPUT" | script -qefc "$GODWIT_TTY_COMMAND" /dev/null"#], in: directory,
            environment: variables, executable: URL(fileURLWithPath: "/bin/sh"))
        return Pseudoterminal(process)
    }

    /// What the terminal has shown so far, its `\r\n` line ends as `\n`.
    public func outputSoFar() -> String {
        process.outputSoFar().replacingOccurrences(of: "\r\n", with: "\n")
    }

    /// Waits (polling, up to 30 s) until the terminal has shown `fragment`.
    public func waitForOutput(_ fragment: String) async throws {
        try await process.waitForOutput(fragment)
    }

    /// Whether the program is still running (has not exited).
    public var isRunning: Bool { process.isRunning }

    /// Waits for the program to end: its exit status, and everything the terminal showed as `stdout`.
    public func wait() async throws -> CommandResult {
        let result = try await process.wait()
        return CommandResult(
            status: result.status, stdout: result.stdout.replacingOccurrences(of: "\r\n", with: "\n"), stderr: result.stderr)
    }
}
