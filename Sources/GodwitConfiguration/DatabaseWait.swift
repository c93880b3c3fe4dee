import GodwitCore

extension Configuration {
    /// Connects, retrying with growing pauses (0.25 s doubling up to 2 s) while the failure may pass by
    /// itself (the server is starting, its port or name is not up yet), for up to `limit`. Each failed
    /// attempt is reported through `report`. A failure that waiting cannot cure (a wrong password) is thrown
    /// at once.
    ///
    /// - Throws: `GodwitError` `.connection`: the last failure, and how long it waited.
    public func connect(
        waitingUpTo limit: Duration, creating: Bool = true, report: (String) -> Void
    ) async throws -> any DatabaseConnection {
        var backoff = Backoff(first: .milliseconds(250), maximum: .seconds(2), limit: limit)
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await connect(creating: creating)
            } catch let error as GodwitError {
                guard Configuration.mayPass(error) else { throw error }
                guard !backoff.isPastLimit else {
                    throw GodwitError(
                        code: error.code,
                        summary: "gave up waiting for the database after \(limit.limitText) s (\(attempt) attempts): \(error.summary)",
                        details: error.details + ["wait longer with --wait SECONDS / GODWIT_WAIT_TIMEOUT (godwit wait: --timeout)"],
                        databaseError: error.databaseError)
                }
                report("waiting for the database (attempt \(attempt), \(backoff.elapsed.secondsText) s of \(limit.secondsText) s): \(error.databaseError?.message ?? error.summary)")
                try await backoff.pause(waitingFor: "the database", consequence: "nothing was run")
            }
        }
    }

    /// Whether a failed connection may succeed later, by the driver's classification of it.
    private static func mayPass(_ error: GodwitError) -> Bool {
        error.databaseError?.connectionProblem?.mayPass ?? false
    }
}
