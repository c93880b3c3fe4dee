import CCrypto

/// The fingerprint of a migration file, kept for each applied migration so that a later edit is noticed.
///
/// It is the SHA-256 of the file's text with every run of whitespace made one space and the ends trimmed:
/// re-indenting, re-wrapping or changing line endings (CRLF ↔ LF) keeps the checksum; changing any word,
/// value or comment changes it.
public enum MigrationChecksum {
    /// The checksum of a file's text, as 64 lowercase hex digits.
    public static func of(_ text: String) -> String {
        var normalized: [UInt8] = []
        normalized.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            if isWhitespace(byte) {
                pendingSpace = !normalized.isEmpty
            } else {
                if pendingSpace { normalized.append(UInt8(ascii: " ")) }
                pendingSpace = false
                normalized.append(byte)
            }
        }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let status = normalized.withUnsafeBytes { bytes in
            EVP_Digest(bytes.baseAddress, bytes.count, &digest, &length, EVP_sha256(), nil)
        }
        precondition(status == 1, "OpenSSL's SHA-256 failed")
        let hexDigits = Array("0123456789abcdef".utf8)
        let hex = digest.prefix(Int(length)).flatMap { [hexDigits[Int($0 >> 4)], hexDigits[Int($0 & 0xF)]] }
        return String(decoding: hex, as: UTF8.self)
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }
}
