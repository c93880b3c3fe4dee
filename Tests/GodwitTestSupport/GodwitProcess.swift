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
public func godwit(_ arguments: String..., in directory: URL, environment: [String: String] = [:]) throws -> CommandResult {
    try runGodwit(arguments, in: directory, environment: environment)
}

public func runGodwit(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> CommandResult {
    let process = Process()
    process.executableURL = godwitBinary()
    process.arguments = arguments
    process.currentDirectoryURL = directory
    var variables = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
    variables["HOME"] = ProcessInfo.processInfo.environment["HOME"]
    process.environment = variables.merging(environment) { $1 }
    let outputs = try TestFolder.make()
    let stdoutURL = outputs.appendingPathComponent("stdout"), stderrURL = outputs.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
    let stdout = try FileHandle(forWritingTo: stdoutURL), stderr = try FileHandle(forWritingTo: stderrURL)
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try stdout.close()
    try stderr.close()
    defer { try? FileManager.default.removeItem(at: outputs) }
    return CommandResult(
        status: process.terminationStatus,
        stdout: try String(contentsOf: stdoutURL, encoding: .utf8),
        stderr: try String(contentsOf: stderrURL, encoding: .utf8))
}

public func godwitBinary() -> URL {
    if let path = ProcessInfo.processInfo.environment["GODWIT_BIN"], !path.isEmpty {
        return URL(fileURLWithPath: path)
    }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return packageRoot.appendingPathComponent(".build/debug/godwit")
}
