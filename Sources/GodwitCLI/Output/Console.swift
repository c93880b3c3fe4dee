#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the CLI writes: results to standard output, notes and errors to standard error.
enum Console {
    /// Writes a line to standard output.
    static func out(_ line: String) {
        print(line)
    }

    /// Writes a line to standard error.
    static func error(_ line: String) {
        // write(2) on the descriptor: unbuffered, and no shared `stderr` global for Swift 6 to object to.
        var text = line + "\n"
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
