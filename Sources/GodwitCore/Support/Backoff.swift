/// Growing pauses between attempts, for every wait that polls: the migration lock, a retried batch, the
/// SQLite lock file, a database that is starting.
///
/// Each pause is the previous one doubled, from `first` up to `maximum`, scaled by a random factor drawn
/// from `jitter` (so that runners started together do not poll together), and never past the `limit`, when
/// there is one.
///
/// ```swift
/// var backoff = Backoff(first: .milliseconds(20), maximum: .seconds(1), jitter: 0.5...1, limit: timeout)
/// while !tryTheLock() {
///     guard !backoff.isPastLimit else { throw timedOut }
///     try await backoff.pause(waitingFor: "the migration lock", consequence: "nothing was run")
/// }
/// ```
package struct Backoff: Sendable {
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var next: Duration
    private let maximum: Duration
    private let jitter: ClosedRange<Double>
    /// How long the whole wait may last; `nil`: as long as the attempts go on.
    package let limit: Duration?
    /// How many pauses were taken.
    package private(set) var pauses = 0

    /// Starts the clock of a wait.
    package init(first: Duration, maximum: Duration, jitter: ClosedRange<Double> = 1...1, limit: Duration? = nil) {
        self.start = clock.now
        self.next = first
        self.maximum = maximum
        self.jitter = jitter
        self.limit = limit
    }

    /// How long the wait has lasted.
    package var elapsed: Duration { clock.now - start }

    /// Whether the limit has been reached.
    package var isPastLimit: Bool { limit.map { elapsed >= $0 } ?? false }

    /// The next pause, and the one after it doubled: jittered, and cut to what is left of the limit.
    package mutating func nextPause() -> Duration {
        var pause = next * Double.random(in: jitter)
        if let limit { pause = min(pause, max(limit - elapsed, .zero)) }
        next = min(next * 2, maximum)
        pauses += 1
        return pause
    }

    /// Sleeps for ``nextPause()``; a cancellation ends it with ``GodwitError/Code/cancelled``, saying what
    /// was being waited for and what `consequence` was kept.
    package mutating func pause(waitingFor what: String, consequence: String) async throws {
        try await sleepUnlessCancelled(for: nextPause(), waitingFor: what, consequence: consequence)
    }
}
