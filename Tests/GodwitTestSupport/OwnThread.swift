import Foundation

/// Runs blocking work — waiting for a process, a build or a server — on a thread of its own and returns
/// its result to the awaiting task.
///
/// Swift's cooperative pool has one thread per core (two here). A test that waits synchronously on a pool
/// thread starves every other test of it: a late server's `Task.sleep` then did not resume for 30 s.
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try work() }) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}

/// Runs a system command to its end, its output discarded, on a thread of its own; whether it succeeded.
public func succeeds(_ executable: String, _ arguments: [String], in directory: URL? = nil) async throws -> Bool {
    try await runToEnd(executable, arguments, in: directory).status == 0
}

/// Runs a system command to its end on a thread of its own; its exit status and what it printed.
public func runToEnd(
    _ executable: String, _ arguments: [String], in directory: URL? = nil
) async throws -> (status: Int32, output: String) {
    let outputs = try TestFolder.make()
    defer { try? FileManager.default.removeItem(at: outputs) }
    let log = outputs.appendingPathComponent("output").path
    let status = try await onOwnThread {
        Spawn.waitOnThisThread(for: try Spawn.start(executable, arguments, in: directory, output: .file(log), error: .standardOutput))
    }
    return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
}

extension Sequence {
    /// The elements transformed in order, each awaited before the next (processes started one by one).
    public func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

/// Runs `body` with `resource`, then `release`s it, whether `body` succeeded or threw.
func using<Resource, T>(
    _ resource: Resource, release: (Resource) async -> Void, _ body: (Resource) async throws -> T
) async throws -> T {
    do {
        let result = try await body(resource)
        await release(resource)
        return result
    } catch {
        await release(resource)
        throw error
    }
}
