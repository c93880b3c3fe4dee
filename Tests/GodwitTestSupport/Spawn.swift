import Foundation

/// Starts programs for the tests with `posix_spawn`, as a shell would: no signal blocked or ignored, and no
/// descriptor of the test process inherited but standard input, output and error.
///
/// Not Foundation's `Process`. On Linux it closes in the child the descriptors it finds open, then spawns: one
/// another thread opens in between is inherited, among them the socket through which `Process` learns that
/// *its* child ended. A `godwit` run launched next to a `swift build` that inherited that socket looked alive
/// until the build ended, and its test stalled for 200 s. It also waits for every holder of that socket, so a
/// server that `pg_ctl start` leaves running would keep its `pg_ctl` "running" for good. Here the child closes
/// every descriptor from 3 up in one step (`posix_spawn_file_actions_addclosefrom_np`).
public enum Spawn {
    /// Where a child's standard output or error goes.
    public enum Output: Sendable {
        /// Discarded.
        case null
        /// Written to this file, created or emptied first.
        case file(String)
        /// Shares standard output (for standard error only).
        case standardOutput
    }

    /// Starts `executable` with `arguments`, and returns its process id.
    ///
    /// - Parameters:
    ///   - executable: the program's path.
    ///   - arguments: its arguments, without its name.
    ///   - directory: the folder it starts in; the test process's own if `nil`.
    ///   - environment: its whole environment; the test process's if `nil`.
    ///   - output: where its standard output goes.
    ///   - error: where its standard error goes.
    public static func start(
        _ executable: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil,
        output: Output = .null, error: Output = .null
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (descriptor, destination) in [(Int32(1), output), (Int32(2), error)] {
            switch destination {
            case .null: posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", O_WRONLY, 0)
            case .file(let path): posix_spawn_file_actions_addopen(&actions, descriptor, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            case .standardOutput: posix_spawn_file_actions_adddup2(&actions, 1, descriptor)
            }
        }
        // glibc has both (2.29, 2.34); Swift's Glibc module declares neither.
        _ = try glibc("posix_spawn_file_actions_addclosefrom_np", as: CloseFrom.self)(&actions, 3)
        if let directory {
            _ = try glibc("posix_spawn_file_actions_addchdir_np", as: ChangeDirectory.self)(&actions, directory.path)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        // A group of its own, as `Process` gives it: a signal to the test runner's group does not reach it.
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let variables = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { variables?.forEach { free($0) } }
        var pid = pid_t()
        let spawned = variables.map { posix_spawn(&pid, executable, &actions, &attributes, argv, $0) }
            ?? posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard spawned == 0 else {
            throw TestSetupError("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        return pid
    }

    /// Waits on the calling thread, which must be one of its own, for process `pid` to end: its exit status,
    /// or the number of the signal that ended it.
    public static func waitOnThisThread(for pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : signal
    }

    /// Runs `executable` to its end on the calling thread (one of its own), its output discarded; throws
    /// unless it exits 0.
    static func runOnThisThread(_ executable: String, _ arguments: [String]) throws {
        let status = waitOnThisThread(for: try start(executable, arguments))
        guard status == 0 else {
            throw TestSetupError("\(executable) \(arguments.joined(separator: " ")) failed with status \(status)")
        }
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    private static func glibc<Function>(_ name: String, as type: Function.Type) throws -> Function {
        guard let symbol = dlsym(nil, name) else { throw TestSetupError("this C library has no \(name)") }
        return unsafeBitCast(symbol, to: type)
    }
}
