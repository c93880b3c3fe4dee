import ArgumentParser
import GodwitConfiguration
import GodwitCore

/// `godwit wait`: waits until the database accepts connections and the credentials work (a container
/// whose database starts alongside it), then exits 0.
struct Wait: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until the database accepts connections and the credentials work.",
        discussion: "Retries with growing pauses while the server is starting or not yet reachable, with a line per attempt on standard error; a wrong password or a missing database fails at once. A SQLite file that does not exist yet is not created.")

    /// How long `wait` waits when nothing says.
    static let defaultTimeout = Duration.seconds(60)

    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp(
        "Seconds to wait before giving up (default: GODWIT_WAIT_TIMEOUT, else 60).", valueName: "seconds"))
    var timeout: Double?

    func validate() throws { try checkSeconds(timeout, "--timeout") }

    func run() async throws {
        try await reportingFailures {
            let overrides = Configuration.Overrides(waitTimeout: timeout.map(Duration.seconds(fractional:)))
            let configuration = try ConfigurationRequest(environment, database, overrides: overrides)
                .resolve()
            if configuration.isMissingSQLiteFile {
                return Console.out("Database is ready: \(configuration.database) (no database yet: the first migrating command creates it)")
            }
            let clock = ContinuousClock()
            let start = clock.now
            _ = try await configuration.connect(
                waitingUpTo: configuration.waitTimeout ?? Wait.defaultTimeout, creating: false, report: Console.error)
            Console.out("Database is ready: \(configuration.database) (after \((clock.now - start).secondsText) s)")
        }
    }
}
