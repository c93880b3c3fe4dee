import CCrypto

/// The fingerprint of a migration file, kept for each applied migration so that a later edit is noticed.
///
/// It is the SHA-256 of the file's text with every run of whitespace made one space and the ends trimmed:
/// re-indenting, re-wrapping or changing line endings (CRLF ↔ LF) keeps the checksum; changing any word,
/// value or comment changes it. The tracking table keeps it as 64 lowercase hex digits (``hex``); in
/// memory it is the 32 bytes themselves, so 10,000 of them cost no allocation.
public struct MigrationChecksum: Sendable, Hashable, CustomStringConvertible {
    private var words: (UInt64, UInt64, UInt64, UInt64)

    /// Reads 64 hex digits (either case); `nil` for anything else.
    public init?(hex: some StringProtocol) {
        var hex = String(hex)
        guard let words = hex.withUTF8({ MigrationChecksum.words(fromHex: $0) }) else { return nil }
        self.words = words
    }

    private init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    /// A kept checksum that could not be read (not 64 hex digits): it matches no file, so the file counts
    /// as edited. (Its 32 bytes are all ones, which no SHA-256 of a migration will be.)
    public static let unreadable = MigrationChecksum(words: (.max, .max, .max, .max))

    /// The 64 lowercase hex digits, as the tracking table keeps them.
    public var hex: String {
        withUnsafeBytes(of: words) { bytes in
            String(unsafeUninitializedCapacity: 64) { hex in
                for (index, byte) in bytes.enumerated() {
                    hex[2 * index] = MigrationChecksum.hexDigit(byte >> 4)
                    hex[2 * index + 1] = MigrationChecksum.hexDigit(byte & 0xF)
                }
                return 64
            }
        }
    }

    public var description: String { hex }

    public static func == (lhs: MigrationChecksum, rhs: MigrationChecksum) -> Bool {
        lhs.words == rhs.words
    }

    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: words) { hasher.combine(bytes: $0) }
    }

    /// The checksum of a file's text.
    ///
    /// - Throws: ``GodwitError`` `.cannotRead` if OpenSSL's SHA-256 fails (it has no reason to).
    public static func of(_ text: String) throws -> MigrationChecksum {
        var text = text
        return try text.withUTF8 { try of(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// The checksum of a file's UTF-8 bytes (see ``of(_:)``).
    ///
    /// A no-op `latest` checksums every applied file, so this works in place: one scratch buffer on the
    /// stack for the normalised text, no intermediate arrays.
    public static func of(utf8 text: UnsafeRawBufferPointer) throws -> MigrationChecksum {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(text.count, 1)) { normalized in
            var count = 0
            var pendingSpace = false
            for byte in text {
                if isWhitespace(byte) {
                    pendingSpace = count > 0
                } else {
                    if pendingSpace {
                        normalized[count] = UInt8(ascii: " ")
                        count += 1
                    }
                    pendingSpace = false
                    normalized[count] = byte
                    count += 1
                }
            }
            return try sha256(of: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: normalized[..<count])))
        }
    }

    /// OpenSSL's SHA-256, fetched once. `EVP_sha256()` makes the digest look the algorithm up again on each
    /// call, which costs twice what hashing a migration file does. A fetched algorithm is immutable and
    /// may be shared by threads.
    nonisolated(unsafe) private static let sha256Algorithm: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)

    private static func sha256(of bytes: UnsafeRawBufferPointer) throws -> MigrationChecksum {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let succeeded = withUnsafeMutableBytes(of: &words) { digest in
            var length: UInt32 = 0
            let status = EVP_Digest(bytes.baseAddress, bytes.count, digest.baseAddress, &length, sha256Algorithm, nil)
            return status == 1 && length == 32
        }
        guard succeeded else {
            throw GodwitError(code: .cannotRead, summary: "OpenSSL's SHA-256 failed: a migration file's checksum cannot be made")
        }
        return MigrationChecksum(words: words)
    }

    private static func words(fromHex hex: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64, UInt64, UInt64)? {
        guard hex.count == 64 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let valid = withUnsafeMutableBytes(of: &words) { bytes in
            for index in 0..<32 {
                guard let high = nibble(hex[2 * index]), let low = nibble(hex[2 * index + 1]) else { return false }
                bytes[index] = high << 4 | low
            }
            return true
        }
        return valid ? words : nil
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }
}
