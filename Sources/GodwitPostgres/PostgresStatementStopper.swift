import CLibPQ
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Stops the statement running on a connection, from another thread, with nothing to find out first.
///
/// Straight to the server, libpq's cancel request (SQLSTATE 57014) is exact. Through a pooler in
/// transaction mode it is not: the pooler forwards it to whichever server connection the client holds,
/// and PgBouncer 1.18 was seen to cancel another client's statement. There the socket is shut instead: the
/// pooler drops the server connection, and the server ends the transaction within
/// `client_connection_check_interval`.
///
/// Which of the two applies is decided once, when the connection's first call reads the answer to a probe
/// sent at connect (``PostgresConnection``): a pooler hands out a backend process id of its own, so the
/// server's `pg_backend_pid()` differs from the one libpq was told; Supabase's Supavisor is known by its
/// host name and needs no probe. Until it is decided, and when it cannot be, the socket is shut: that is
/// always safe. So a stop does no I/O but the stop itself; the cancel request, which connects to the
/// server, is sent from a thread of its own, and the cancelling thread returns at once.
final class StatementStopper: Sendable {
    /// How a statement is stopped.
    enum Route: UInt8 {
        case undecided, cancelRequest, shutSocket
    }

    // nonisolated(unsafe): a libpq PGcancel, used only by PQcancel (documented as safe from any thread)
    // and freed in deinit, which runs after the last stop's cancel request was sent.
    private nonisolated(unsafe) let cancelRequest: OpaquePointer?
    private let socket: Int32
    private let route = Atomic<UInt8>(Route.undecided.rawValue)
    /// The backend process id libpq was told at connect (BackendKeyData).
    let announcedPID: Int32
    private let serverPID = Mutex<Int64?>(nil)

    private static let cancelling = DispatchQueue(label: "godwit.postgres.cancel")

    init(connection: OpaquePointer) {
        cancelRequest = PQgetCancel(connection)
        socket = PQsocket(connection)
        announcedPID = PQbackendPID(connection)
    }

    deinit {
        PQfreeCancel(cancelRequest)
    }

    /// Settles how statements are stopped: through a known pooler, or by the server's own process id
    /// (`nil` when it could not be read).
    func decide(pooled: Bool? = nil, serverPID pid: Int64? = nil) {
        serverPID.withLock { $0 = pid }
        let direct = pooled.map { !$0 } ?? (pid == Int64(announcedPID))
        let chosen: Route = direct && cancelRequest != nil ? .cancelRequest : .shutSocket
        route.store(chosen.rawValue, ordering: .releasing)
    }

    /// The server's process id as read at connect, if it was.
    var serverProcessID: Int64? { serverPID.withLock { $0 } }

    /// Stops the running statement; returns at once.
    func stop() {
        guard route.load(ordering: .acquiring) == Route.cancelRequest.rawValue, let cancelRequest else {
            shutdown(socket, Int32(SHUT_RDWR))
            return
        }
        let request = CancelRequest(pointer: cancelRequest)
        StatementStopper.cancelling.async { [self] in
            withExtendedLifetime(self) {
                var reason = [CChar](repeating: 0, count: 256)
                _ = PQcancel(request.pointer, &reason, Int32(reason.count))
            }
        }
    }

    /// A PGcancel handed to the cancelling thread, kept alive there by the stopper that owns it.
    private struct CancelRequest: @unchecked Sendable {
        let pointer: OpaquePointer
    }
}
