#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import GodwitCore

/// What the CLI's two streams are attached to, and whether to colour them.
///
/// Colour is on for a stream that is a terminal (not `TERM=dumb`), off with `NO_COLOR` set to anything,
/// and on with `FORCE_COLOR` set to anything but `0` (which wins over both).
enum Terminal {
    /// Standard output is a terminal.
    static let outputIsTerminal = isatty(1) == 1
    /// Standard error is a terminal.
    static let errorIsTerminal = isatty(2) == 1
    /// Standard input is a terminal: a person may answer a question.
    static var inputIsTerminal: Bool { isatty(0) == 1 }

    /// Whether standard output is coloured.
    static let colorsOutput = colors(isTerminal: outputIsTerminal)
    /// Whether standard error is coloured.
    static let colorsErrors = colors(isTerminal: errorIsTerminal)

    private static func colors(isTerminal: Bool) -> Bool {
        if let force = variable("FORCE_COLOR"), !force.isEmpty { return force != "0" }
        if let none = variable("NO_COLOR"), !none.isEmpty { return false }
        return isTerminal && variable("TERM") != "dumb"
    }

    private static func variable(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

/// The colours the CLI uses: red for failures, green for what was done, yellow for what is pending.
enum TextStyle: String {
    case failure = "31"
    case done = "32"
    case pending = "33"
    case faint = "2"

    /// `text` in this style when `enabled`, else `text` as it is.
    func apply(_ text: String, _ enabled: Bool) -> String {
        enabled ? "\u{1B}[\(rawValue)m\(text)\u{1B}[0m" : text
    }
}

/// Shows a command's ``MigrationProgress`` on standard error as it happens.
///
/// On a terminal a migration's line appears when it starts (`→ 001_users.sql …`) and is rewritten with
/// its duration when it ends (`✓ 001_users.sql  12 ms`); elsewhere (a container's log) each migration gets
/// one line when it ends (`migrated 001_users.sql in 12 ms`). Waits for the lock are said at once and every
/// few seconds.
enum ProgressLines {
    static func show(_ event: MigrationProgress) {
        let colors = Terminal.colorsErrors
        switch event {
        case .started(let name, let direction):
            guard Terminal.errorIsTerminal else { return }
            Console.openLine("\(direction == .up ? "→" : "←") \(name) …")
        case .finished(let name, let direction, let duration):
            if Terminal.errorIsTerminal {
                let mark = TextStyle.done.apply("✓", colors)
                Console.closeLine("\(mark) \(direction == .up ? "" : "undid ")\(name)  \(TextStyle.faint.apply(text(duration), colors))")
            } else {
                Console.error("\(direction == .up ? "migrated" : "rolled back") \(name) in \(text(duration))")
            }
        case .waitingForLock(let holder, let waited, let limit):
            let seconds = "\(waited.components.seconds) s of \(limit.limitText) s"
            Console.error(TextStyle.pending.apply("waiting for the migration lock (\(seconds)), held by \(holder)", colors))
        }
    }

    /// `12 ms`, `1.24 s`, `2 min 5 s`.
    static func text(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        if seconds < 60 {
            let hundredths = milliseconds / 10
            let fraction = hundredths % 100
            return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) s"
        }
        return "\(seconds / 60) min \(seconds % 60) s"
    }
}
