import ArgumentParser
import GodwitConfiguration
import GodwitCore

/// `godwit wait`: waits until the database accepts connections and the credentials work (a container
/// whose database starts alongside it), then exits 0.
struct Wait: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until the database accepts connections and the credentials work.",
        discussion: "Retries with growing pauses while the server is starting or not yet reachable, with a line per attempt on standard error; a wrong password or a missing database fails at once.")

    /// How long `wait` waits when nothing says.
    static let defaultTimeout = Duration.seconds(60)

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp(
        "Seconds to wait before giving up (default: GODWIT_WAIT_TIMEOUT, else 60).", valueName: "seconds"))
    var timeout: String?

    func run() async throws {
        do {
            var overrides: [String: String] = [:]
            overrides["GODWIT_WAIT_TIMEOUT"] = timeout
            let configuration = try options.configuration(overrides: overrides)
            Console.out("Using environment: \(configuration.environment)")
            let clock = ContinuousClock()
            let start = clock.now
            _ = try await configuration.connect(
                waitingUpTo: configuration.waitTimeout ?? Wait.defaultTimeout, report: Console.error)
            Console.out("Database is ready: \(configuration.database) (after \((clock.now - start).secondsText) s)")
        } catch let error as GodwitError {
            Console.error("error: \(error)")
            throw ExitCode.failure
        }
    }
}
