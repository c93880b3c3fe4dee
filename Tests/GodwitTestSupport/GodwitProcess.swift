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
    // @unchecked: used by one test task at a time.
    private let process = Process()
    private let outputs: URL
    private let stdout: FileHandle
    private let stderr: FileHandle

    /// Starts the built binary in `directory` with a clean environment (PATH, HOME and `environment`).
    public init(_ arguments: [String], in directory: URL, environment: [String: String] = [:], executable: URL? = nil) async throws {
        process.executableURL = executable ?? godwitBinary()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var variables = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        variables["HOME"] = ProcessInfo.processInfo.environment["HOME"]
        process.environment = variables.merging(environment) { $1 }
        outputs = try TestFolder.make()
        _ = FileManager.default.createFile(atPath: outputs.appendingPathComponent("stdout").path, contents: nil)
        _ = FileManager.default.createFile(atPath: outputs.appendingPathComponent("stderr").path, contents: nil)
        stdout = try FileHandle(forWritingTo: outputs.appendingPathComponent("stdout"))
        stderr = try FileHandle(forWritingTo: outputs.appendingPathComponent("stderr"))
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try await startWithNoSignalsBlocked(process)
    }

    /// The process's id.
    public var processIdentifier: Int32 { process.processIdentifier }

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

    /// Sends SIGKILL: the process dies at once, with no chance to clean up.
    public func kill() {
        send(SIGKILL)
    }

    /// Sends a signal: SIGTERM as `docker stop` does, SIGINT as Ctrl-C does.
    public func send(_ signal: Int32) {
        Foundation.kill(process.processIdentifier, signal)
    }

    /// Waits (on a thread of its own) for the process to end and returns what it printed.
    public func wait() async throws -> CommandResult {
        try await onOwnThread { [self] in try waitOnThisThread() }
    }

    private func waitOnThisThread() throws -> CommandResult {
        process.waitUntilExit()
        try stdout.close()
        try stderr.close()
        defer { try? FileManager.default.removeItem(at: outputs) }
        return CommandResult(
            status: process.terminationStatus,
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

/// Starts `process` as a container runtime or a shell would: with no signal blocked. `Process` passes on
/// the calling thread's signal mask, and the test runner's threads block most signals (SIGTERM, SIGCHLD):
/// a shell started with them blocked would never see its child end, nor a stop request. The launch runs
/// on a thread of its own, through `launch(_:)`.
func startWithNoSignalsBlocked(_ process: Process) async throws {
    let box = ProcessBox(process)
    try await onOwnThread {
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)
        try launch(box.process)
    }
}

/// Launches `process`, one launch at a time in the test process.
///
/// On Linux, `Process.run()` closes in the child every descriptor it finds open, then spawns; a
/// descriptor another thread's launch opens in between is inherited. One of those is the socket through
/// which Foundation learns that *its* child ended: a `godwit` run launched next to a `swift build` that
/// inherited it looked alive until the build ended, and its test stalled for 200 s. Launching one at a
/// time keeps every launch's descriptors out of the others' children.
func launch(_ process: Process) throws {
    launches.lock()
    defer { launches.unlock() }
    try process.run()
}

private let launches = NSLock()

/// A `Process` handed to the thread that launches or waits for it.
final class ProcessBox: @unchecked Sendable {
    // @unchecked: only that thread touches it until the awaiting task resumes.
    let process: Process
    init(_ process: Process) { self.process = process }
}
