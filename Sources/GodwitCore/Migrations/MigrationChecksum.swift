import CCrypto

/// The fingerprint of a migration file, kept for each applied migration so that a later edit is noticed.
///
/// It is the SHA-256 of the file's text with every run of whitespace made one space and the ends trimmed:
/// re-indenting, re-wrapping or changing line endings (CRLF ↔ LF) keeps the checksum; changing any word,
/// value or comment changes it.
public enum MigrationChecksum {
    /// The checksum of a file's text, as 64 lowercase hex digits.
    public static func of(_ text: String) -> String {
        var text = text
        return text.withUTF8 { of(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// The checksum of a file's UTF-8 bytes (see ``of(_:)``).
    ///
    /// A no-op `latest` checksums every applied file, so this works in place: one scratch buffer on the
    /// stack for the normalised text, no intermediate arrays.
    public static func of(utf8 text: UnsafeRawBufferPointer) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(text.count, 1)) { normalized in
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
            return hexDigest(of: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: normalized[..<count])))
        }
    }

    private static func hexDigest(of bytes: UnsafeRawBufferPointer) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(EVP_MAX_MD_SIZE)) { digest in
            var length: UInt32 = 0
            let status = EVP_Digest(bytes.baseAddress, bytes.count, digest.baseAddress, &length, EVP_sha256(), nil)
            precondition(status == 1, "OpenSSL's SHA-256 failed")
            return String(unsafeUninitializedCapacity: Int(length) * 2) { hex in
                for (index, byte) in digest.prefix(Int(length)).enumerated() {
                    hex[2 * index] = hexDigit(byte >> 4)
                    hex[2 * index + 1] = hexDigit(byte & 0xF)
                }
                return Int(length) * 2
            }
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }
}
