extension Duration {
    /// The duration in whole milliseconds.
    package var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }

    /// Seconds with one decimal, cut (not rounded): `1.2` for 1,299 ms. For messages.
    package var secondsText: String {
        "\(milliseconds / 1000).\(milliseconds % 1000 / 100)"
    }

    /// A limit as the user wrote it, to the tenth: `30` for 30 s, `0.5` for 500 ms. For messages that name
    /// a timeout.
    package var limitText: String {
        milliseconds % 1000 < 100 ? "\(milliseconds / 1000)" : secondsText
    }
}

/// Sleeps; a cancellation of the calling task ends the sleep with ``GodwitError/Code/cancelled``, saying
/// what was being waited for and what `consequence` was kept.
package func sleepUnlessCancelled(for duration: Duration, waitingFor what: String, consequence: String) async throws {
    do {
        try await Task.sleep(for: duration)
    } catch is CancellationError {
        throw GodwitError.cancelled("while waiting for \(what)", consequence: consequence)
    }
}
