import ArgumentParser
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGTERM (a container being stopped) and SIGINT (Ctrl-C) while a command runs.
///
/// The first signal cancels the command's task: the running statement is cancelled, the batch's
/// transaction rolls back and the lock is freed, or a wait ends; the command then exits with 128 + the
/// signal's number, as a process killed by it would. A second signal ends the process at once.
final class StopSignals: @unchecked Sendable {
    // @unchecked: `sources` is touched only by `run`'s task; the handlers run on one serial queue.
    private let received = Mutex<Int32?>(nil)
    private let queue = DispatchQueue(label: "godwit.signals")
    private var sources: [any DispatchSourceSignal] = []

    /// The signal that stopped the command, if one did.
    var stoppedBy: Int32? { received.withLock { $0 } }

    /// Runs `command` in a task that the first SIGTERM or SIGINT cancels.
    static func run(_ command: any AsyncParsableCommand) async throws {
        let signals = StopSignals()
        let box = CommandBox(command)
        let task = Task { try await box.run() }
        signals.install { task.cancel() }
        defer { signals.uninstall() }
        do {
            try await task.value
        } catch {
            guard let number = signals.stoppedBy else { throw error }
            // The command has printed what it stopped and what was kept.
            throw ExitCode(128 + number)
        }
    }

    private func install(cancel: @escaping @Sendable () -> Void) {
        for number in [SIGTERM, SIGINT] {
            // The default action would end the process at once: the handler below decides instead.
            _ = signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [self] in
                let first = received.withLock { received in
                    defer { received = received ?? number }
                    return received == nil
                }
                guard first else {
                    Console.error("godwit: \(StopSignals.name(number)) again: exiting at once")
                    _exit(128 + number)
                }
                Console.error(
                    "godwit: \(StopSignals.name(number)) received: stopping (the running statement is cancelled and its transaction rolled back; send it again to exit at once)")
                cancel()
            }
            source.resume()
            sources.append(source)
        }
    }

    private func uninstall() {
        for source in sources { source.cancel() }
        for number in [SIGTERM, SIGINT] { _ = signal(number, SIG_DFL) }
    }

    private static func name(_ number: Int32) -> String {
        number == SIGTERM ? "SIGTERM" : number == SIGINT ? "SIGINT" : "signal \(number)"
    }
}

/// The parsed command, run by exactly one task, which `StopSignals.run` awaits.
private final class CommandBox: @unchecked Sendable {
    // @unchecked: only the one task that runs the command touches it.
    private var command: any AsyncParsableCommand

    init(_ command: any AsyncParsableCommand) { self.command = command }

    func run() async throws { try await command.run() }
}
