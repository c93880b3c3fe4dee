/// How soon each end of a connection gives up on a peer that went silent: a network that drops every
/// packet (a NAT that forgot the connection, a partition, a pooler's host gone) tells neither side anything.
///
/// Godwit's side is libpq's TCP keepalives and `tcp_user_timeout`, set at connect unless the URL sets them:
/// a probe after 10 s of silence, then every 3 s, the connection given up after 3 unanswered or when sent
/// data stays unacknowledged for 20 s. The server's side is the same figures, set for each migration
/// transaction (``PostgresDialect/transactionSettings(lockTimeoutMilliseconds:idleLimitMilliseconds:)``),
/// with `client_connection_check_interval` so that a running statement stops once its client is known dead:
/// the server then rolls the batch back and frees the lock instead of holding both for the two hours of
/// the operating system's default keepalive. A healthy long statement is not affected: the peer's kernel
/// answers the probes.
public struct PostgresDeadPeerLimits: Sendable, Equatable {
    /// Seconds of silence before the first keepalive probe.
    public var idleSeconds: Int
    /// Seconds between probes.
    public var intervalSeconds: Int
    /// Unanswered probes before the connection is given up.
    public var count: Int
    /// Milliseconds that sent data may stay unacknowledged before the connection is given up.
    public var userTimeoutMilliseconds: Int

    /// The limits Godwit connects with unless the URL says otherwise.
    public static let standard = PostgresDeadPeerLimits(idleSeconds: 10, intervalSeconds: 3, count: 3, userTimeoutMilliseconds: 20_000)

    /// Creates limits.
    public init(idleSeconds: Int, intervalSeconds: Int, count: Int, userTimeoutMilliseconds: Int) {
        self.idleSeconds = idleSeconds
        self.intervalSeconds = intervalSeconds
        self.count = count
        self.userTimeoutMilliseconds = userTimeoutMilliseconds
    }

    /// The limits a connection's settings give: its libpq parameters where set, the standard ones elsewhere.
    init(settings: PostgresConnectionSettings) {
        let standard = PostgresDeadPeerLimits.standard
        func number(_ keyword: String, _ fallback: Int) -> Int {
            settings.value(keyword).flatMap { Int($0) }.map { max($0, 1) } ?? fallback
        }
        self.init(
            idleSeconds: number("keepalives_idle", standard.idleSeconds),
            intervalSeconds: number("keepalives_interval", standard.intervalSeconds),
            count: number("keepalives_count", standard.count),
            userTimeoutMilliseconds: number("tcp_user_timeout", standard.userTimeoutMilliseconds))
    }

    /// libpq's connection parameters for these limits.
    var connectionParameters: [(keyword: String, value: String)] {
        [
            ("keepalives", "1"), ("keepalives_idle", String(idleSeconds)), ("keepalives_interval", String(intervalSeconds)),
            ("keepalives_count", String(count)), ("tcp_user_timeout", String(userTimeoutMilliseconds)),
        ]
    }

    /// The server's settings for the same limits, as `set_config(…, true)` calls (transaction-local).
    var serverSettings: [String] {
        [
            "set_config('tcp_keepalives_idle', '\(idleSeconds)', true)",
            "set_config('tcp_keepalives_interval', '\(intervalSeconds)', true)",
            "set_config('tcp_keepalives_count', '\(count)', true)",
            "set_config('tcp_user_timeout', '\(userTimeoutMilliseconds)', true)",
        ]
    }
}
