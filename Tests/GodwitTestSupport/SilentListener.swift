import Foundation

/// A TCP port that accepts connections and never answers: a host behind a firewall that drops the
/// conversation, so a client's connect timeout is what ends the wait.
public final class SilentListener: @unchecked Sendable {
    // @unchecked: the descriptor is only closed, once, in deinit.
    private let descriptor: Int32
    /// The port on 127.0.0.1.
    public let port: Int

    public init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && listen(descriptor, 16) == 0
                    && getsockname(descriptor, address, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw TestSetupError("cannot listen on 127.0.0.1: errno \(errno)")
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(descriptor)
    }

    /// A port on 127.0.0.1 that nothing listens on (free when asked; the kernel hands out ports in turn, so
    /// it stays free for a test's lifetime in practice).
    public static func freePort() throws -> Int {
        try SilentListener().port
    }
}
