#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import GodwitConfiguration
import Synchronization

/// Where the CLI writes: results to standard output, notes and errors to standard error, each line with
/// one write(2), unbuffered, so that both streams stay in order in a container's log and nothing is lost
/// if the process is ended.
enum Console {
    /// Says which environment the command runs in, as Knex does before anything can fail: on standard
    /// output, or on standard error when `quiet` (the output is data, `--json`).
    static func usingEnvironment(flag: String?, quiet: Bool = false) {
        let line = "Using environment: \(Configuration.environmentName(flag: flag))"
        quiet ? error(line) : out(line)
    }

    /// Writes a line to standard output.
    static func out(_ line: String) {
        write(line, to: 1)
    }

    /// Writes lines to standard output in one write: a report of 10,000 migrations is one system call.
    static func out(_ lines: [String]) {
        guard !lines.isEmpty else { return }
        write(lines.joined(separator: "\n"), to: 1)
    }

    /// Writes the lines `produce` gives, 64 KB per write: a report of 10,000 migrations takes a few system
    /// calls and is never held whole.
    static func out(_ produce: ((String) -> Void) -> Void) {
        var chunk = ""
        chunk.reserveCapacity(chunkSize)
        produce { line in
            chunk += line
            chunk += "\n"
            if chunk.utf8.count >= chunkSize {
                write(text: chunk, to: 1)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        if !chunk.isEmpty { write(text: chunk, to: 1) }
    }

    private static let chunkSize = 1 << 16

    /// Writes a line to standard error.
    static func error(_ line: String) {
        write(line, to: 2)
    }

    /// Writes `line` to standard error without ending it, to be ended by ``closeLine(_:)`` or by the next
    /// write to either stream (a terminal's progress line).
    static func openLine(_ line: String) {
        lineIsOpen.withLock { open in
            writeAll(text: (open ? "\n" : "") + line, to: 2)
            open = true
        }
    }

    /// Replaces the open line on standard error with `line`, ended; without an open line, writes `line`.
    static func closeLine(_ line: String) {
        lineIsOpen.withLock { open in
            writeAll(text: (open ? "\r\u{1B}[2K" : "") + line + "\n", to: 2)
            open = false
        }
    }

    /// The open line was ended by someone else: the terminal, echoing the Return key a person pressed.
    static func lineEnded() {
        lineIsOpen.withLock { $0 = false }
    }

    /// Whether standard error holds a line not yet ended.
    private static let lineIsOpen = Mutex(false)

    private static func write(_ line: String, to descriptor: Int32) {
        write(text: line + "\n", to: descriptor)
    }

    private static func write(text: String, to descriptor: Int32) {
        lineIsOpen.withLock { open in
            if open { writeAll(text: "\n", to: 2) }
            open = false
            writeAll(text: text, to: descriptor)
        }
    }

    private static func writeAll(text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Musl)
private let systemWrite = Musl.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
