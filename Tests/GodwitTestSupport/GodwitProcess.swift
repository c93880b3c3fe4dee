import Foundation

/// What a run of the built `godwit` binary printed and returned.
public struct CommandResult: Sendable, CustomStringConvertible {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast(stdout.hasSuffix("\n") ? 1 : 0) }
    public var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// Runs the built `godwit` binary (`GODWIT_BIN`, set by scripts/test.sh, else .build/debug/godwit) in
/// `directory` with a clean environment: only PATH, HOME and the variables given.
public func godwit(_ arguments: String..., in directory: URL, environment: [String: String] = [:]) async throws -> CommandResult {
    try await runGodwit(arguments, in: directory, environment: environment)
}

/// Runs `executable` (the built `godwit` unless given: a user's `migrate`, say) in `directory`.
public func runGodwit(
    _ arguments: [String], in directory: URL, environment: [String: String] = [:], executable: URL? = nil
) async throws -> CommandResult {
    try await RunningGodwit(arguments, in: directory, environment: environment, executable: executable).wait()
}

/// A `godwit` process started in the background, to run several at once or to kill one mid-way.
public final class RunningGodwit: @unchecked Sendable {
    // @unchecked: `ended` is guarded by `lock`; the rest is set once in `init`.
    /// The process's id.
    public let processIdentifier: pid_t
    private let outputs: URL
    private let lock = NSLock()
    private var ended = false

    /// Starts the built binary in `directory` with a clean environment (PATH, HOME and `environment`), with
    /// no signal blocked (as a container runtime or a shell starts it).
    public init(_ arguments: [String], in directory: URL, environment: [String: String] = [:], executable: URL? = nil) async throws {
        var variables = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        variables["HOME"] = ProcessInfo.processInfo.environment["HOME"]
        let outputs = try TestFolder.make()
        let binary = (executable ?? godwitBinary()).path
        self.outputs = outputs
        processIdentifier = try await onOwnThread { [variables] in
            try Spawn.start(
                binary, arguments, in: directory, environment: variables.merging(environment) { $1 },
                output: .file(outputs.appendingPathComponent("stdout").path),
                error: .file(outputs.appendingPathComponent("stderr").path))
        }
    }

    /// What the process has written to standard output so far.
    public func outputSoFar() -> String {
        (try? String(contentsOf: outputs.appendingPathComponent("stdout"), encoding: .utf8)) ?? ""
    }

    /// Waits (polling, up to 30 s) until the process has written `fragment` to standard output: once it
    /// printed `Using environment:`, a command has installed its stop-signal handlers.
    public func waitForOutput(_ fragment: String) async throws {
        for _ in 0..<1500 {
            if outputSoFar().contains(fragment) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSetupError("the process did not print '\(fragment)' within 30 s")
    }

    /// Waits (polling, up to 30 s) until the process has written `fragment` to standard error.
    public func waitForError(_ fragment: String) async throws {
        for _ in 0..<1500 {
            if ((try? String(contentsOf: outputs.appendingPathComponent("stderr"), encoding: .utf8)) ?? "").contains(fragment) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSetupError("the process did not print '\(fragment)' to standard error within 30 s")
    }

    /// Whether the process is still running: neither waited for nor exited (a zombie has exited).
    public var isRunning: Bool {
        guard !lock.withLock({ ended }),
            let stat = try? String(contentsOfFile: "/proc/\(processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(close, offsetBy: 2)] != "Z"
    }

    /// Sends SIGKILL: the process dies at once, with no chance to clean up.
    public func kill() {
        send(SIGKILL)
    }

    /// Sends a signal: SIGTERM as `docker stop` does, SIGINT as Ctrl-C does. Nothing once its end was waited
    /// for (its id may belong to another process by then).
    public func send(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if !ended { Foundation.kill(processIdentifier, signal) }
    }

    /// Waits (on a thread of its own) for the process to end and returns what it printed.
    public func wait() async throws -> CommandResult {
        let pid = processIdentifier
        let status = try await onOwnThread { Spawn.waitOnThisThread(for: pid) }
        lock.withLock { ended = true }
        defer { try? FileManager.default.removeItem(at: outputs) }
        return CommandResult(
            status: status,
            stdout: try String(contentsOf: outputs.appendingPathComponent("stdout"), encoding: .utf8),
            stderr: try String(contentsOf: outputs.appendingPathComponent("stderr"), encoding: .utf8))
    }
}

public func godwitBinary() -> URL {
    if let path = ProcessInfo.processInfo.environment["GODWIT_BIN"], !path.isEmpty {
        return URL(fileURLWithPath: path)
    }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return packageRoot.appendingPathComponent(".build/debug/godwit")
}
