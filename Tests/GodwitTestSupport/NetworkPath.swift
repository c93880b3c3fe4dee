import Foundation
import Synchronization

/// A network of its own between the tests and a server, which a test can cut: a network namespace joined
/// to this one by a veth pair (iproute2; the suite runs as root).
///
/// A server started in the namespace (``LatePostgres/make(on:)``) listens on ``serverAddress``; clients
/// reach it from ``hostAddress``'s side. ``cut()`` takes the namespace's end of the pair down: from then
/// on every packet either way is lost without a word, as when a NAT forgets a connection or a cloud network
/// partitions: no reset, no error, the client only hears nothing. ``restore()`` brings it back; connections
/// that outlived the cut go on. The server's Unix socket, in the file system, stays reachable throughout,
/// so a test can watch the server while its network is cut.
public final class NetworkPath: Sendable {
    /// The namespace's name (`ip netns`).
    public let namespace: String
    /// This side's address.
    public let hostAddress: String
    /// The namespace's address, where its server listens.
    public let serverAddress: String
    private let hostLink: String
    private let serverLink: String

    /// Subnets handed out so far in this process, so that paths made at once never share one.
    private static let subnets = Mutex(UInt32.random(in: 0..<16_000))

    private init(tag: String, subnet: UInt32) {
        namespace = "godwit-\(tag)"
        hostLink = "gwh\(tag)"
        serverLink = "gws\(tag)"
        // 10.77.0.0/16 carved into /30s: .1 here, .2 in the namespace.
        let base = subnet * 4
        hostAddress = "10.77.\(base / 256).\(base % 256 + 1)"
        serverAddress = "10.77.\(base / 256).\(base % 256 + 2)"
    }

    /// Makes the namespace and the pair, and brings both ends up (on a thread of its own).
    public static func make() async throws -> NetworkPath {
        let subnet = subnets.withLock { next in
            next = (next + 1) % 16_000
            return next
        }
        let tag = String(UUID().uuidString.prefix(8)).lowercased()
        let path = NetworkPath(tag: tag, subnet: subnet)
        try await onOwnThread { try path.setUp() }
        return path
    }

    /// Runs `body` with a new path, then removes it, whether `body` succeeded or threw.
    public static func with<T: Sendable>(_ body: (NetworkPath) async throws -> T) async throws -> T {
        try await using(try await make(), release: { await $0.remove() }, body)
    }

    /// Loses every packet between the two sides from now on, silently.
    public func cut() async throws {
        try await onOwnThread { [self] in try ip(["-n", namespace, "link", "set", serverLink, "down"]) }
    }

    /// Carries packets again. Each side forgets that the other's address did not answer during the cut
    /// (a neighbour entry left FAILED makes a new connection fail at once with "No route to host").
    public func restore() async throws {
        try await onOwnThread { [self] in
            try ip(["-n", namespace, "link", "set", serverLink, "up"])
            try ip(["neigh", "flush", "dev", hostLink])
            try ip(["-n", namespace, "neigh", "flush", "dev", serverLink])
        }
    }

    /// Removes the namespace, its end of the pair with it (and so the other end); what runs in it should be
    /// stopped first.
    public func remove() async {
        _ = try? await onOwnThread { [self] in try ip(["netns", "delete", namespace]) }
    }

    /// The command line that runs `command` inside the namespace.
    func inside(_ command: [String]) -> [String] {
        ["/usr/sbin/ip", "netns", "exec", namespace] + command
    }

    private func setUp() throws {
        guard getuid() == 0 else {
            throw TestSetupError("a network path needs root (ip netns); run the suite as root, as scripts/test.sh does in CI")
        }
        try ip(["netns", "add", namespace])
        do {
            try ip(["link", "add", hostLink, "type", "veth", "peer", "name", serverLink, "netns", namespace])
            try ip(["addr", "add", "\(hostAddress)/30", "dev", hostLink])
            try ip(["link", "set", hostLink, "up"])
            try ip(["-n", namespace, "addr", "add", "\(serverAddress)/30", "dev", serverLink])
            try ip(["-n", namespace, "link", "set", serverLink, "up"])
            try ip(["-n", namespace, "link", "set", "lo", "up"])
        } catch {
            try? ip(["netns", "delete", namespace])
            throw error
        }
    }

    private func ip(_ arguments: [String]) throws {
        try Spawn.runOnThisThread("/usr/sbin/ip", arguments)
    }
}
