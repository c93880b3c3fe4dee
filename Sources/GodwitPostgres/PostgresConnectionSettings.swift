import CLibPQ
import GodwitCore

/// Where and how to connect to PostgreSQL: libpq's connection parameters, parsed by libpq itself.
///
/// ```swift
/// let settings = try PostgresConnectionSettings(url: "postgres://app:s%40cret@db.example.com:5432/app?sslmode=require")
/// print(settings)   // postgres://app:***@db.example.com:5432/app?sslmode=require
/// ```
///
/// The password is kept apart from the other parameters: it never appears in ``description``, and every
/// message that could hold it (libpq's, a malformed URL's) is masked before it leaves this module.
public struct PostgresConnectionSettings: Sendable, CustomStringConvertible {
    /// libpq keyword/value pairs (`host`, `port`, `dbname`, `user`, `sslmode`, …), without the password.
    public private(set) var parameters: [(keyword: String, value: String)]
    /// The password, if one was given.
    let password: String?
    /// Every form the password may take in a message: as given, and percent-encoded as a URL held it.
    let passwordForms: [String]

    /// The `sslmode` values libpq accepts, weakest first.
    public static let sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

    /// Parses a `postgres://` / `postgresql://` URL (or a libpq `key=value` string) with libpq's parser.
    ///
    /// - Throws: `GodwitError` `.configuration` naming the part of the URL that is wrong, password masked.
    public init(url: String) throws {
        let parts = PostgresURLParts(url)
        let writtenPassword = parts?.password.map(String.init)
        if let parts, let raw = parts.rawReservedCharacter() {
            throw Self.malformed(
                url, reason: "the \(raw.part) holds a raw '\(raw.character)', which a URL must percent-encode as \(raw.escape)",
                password: writtenPassword)
        }
        var failure: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &failure) else {
            let reason = failure.map { String(cString: $0) }?.trimmingNewlines ?? "out of memory"
            if let failure { PQfreemem(failure) }
            throw Self.malformed(url, reason: Self.explain(libpqURLError: reason, parts: parts), password: writtenPassword)
        }
        defer { PQconninfoFree(options) }
        var parameters: [(String, String)] = []
        var password: String?
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                let name = String(cString: keyword)
                if name == "password" {
                    password = String(cString: value)
                } else {
                    parameters.append((name, String(cString: value)))
                }
            }
            option += 1
        }
        self.init(parameters: parameters, password: password, writtenPassword: writtenPassword)
        if let problem = checkValues() {
            throw Self.malformed(url, reason: problem, password: writtenPassword)
        }
    }

    /// Settings from separate values, as the `SUPABASE_DB_*` variables give them: the password is used as
    /// it is, with no escaping.
    ///
    /// - Throws: `GodwitError` `.configuration` for a port or `sslmode` libpq would refuse.
    public init(
        host: String, port: String? = nil, database: String? = nil, user: String? = nil, password: String? = nil,
        sslMode: String? = nil, sslRootCertificate: String? = nil
    ) throws {
        var parameters = [("host", host)]
        if let port { parameters.append(("port", port)) }
        if let database { parameters.append(("dbname", database)) }
        if let user { parameters.append(("user", user)) }
        if let sslMode { parameters.append(("sslmode", sslMode)) }
        if let sslRootCertificate { parameters.append(("sslrootcert", sslRootCertificate)) }
        self.init(parameters: parameters, password: password, writtenPassword: nil)
        if let problem = checkValues() {
            throw GodwitError(code: .configuration, summary: "invalid SUPABASE_DB_* settings: \(problem)")
        }
    }

    private init(parameters: [(String, String)], password: String?, writtenPassword: String?) {
        self.parameters = parameters
        self.password = password
        self.passwordForms = [password, writtenPassword].compactMap { $0 }.filter { !$0.isEmpty }
    }

    /// These settings with `defaults` added for the keywords they do not set.
    public func adding(defaults: [(keyword: String, value: String)]) -> PostgresConnectionSettings {
        var all = parameters.map { ($0.keyword, $0.value) }
        for (keyword, value) in defaults where value != "" && !all.contains(where: { $0.0 == keyword }) {
            all.append((keyword, value))
        }
        var settings = self
        settings.parameters = all
        return settings
    }

    /// These settings with `keyword` set to `value`.
    public func replacing(_ keyword: String, with value: String) -> PostgresConnectionSettings {
        var settings = self
        settings.parameters = parameters.filter { $0.keyword != keyword } + [(keyword, value)]
        return settings
    }

    /// The value of a libpq keyword, if set.
    public func value(_ keyword: String) -> String? {
        parameters.last { $0.keyword == keyword }?.value
    }

    /// A URL for people to read: every part but the password, which shows as `***`.
    public var description: String {
        let user = value("user").map { $0 + (password == nil ? "" : ":***") + "@" } ?? ""
        let host = value("host") ?? value("hostaddr") ?? "localhost"
        let port = value("port").map { ":" + $0 } ?? ""
        let database = value("dbname").map { "/" + $0 } ?? ""
        let shown: Set = ["user", "host", "hostaddr", "port", "dbname", "connect_timeout"]
        let query = parameters.filter { !shown.contains($0.keyword) }.map { "\($0.keyword)=\($0.value)" }
        return "postgres://\(user)\(host)\(port)\(database)" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }

    /// Every keyword/value pair for libpq, the password included.
    func connectionParameters() -> [(String, String)] {
        parameters.map { ($0.keyword, $0.value) } + (password.map { [("password", $0)] } ?? [])
    }

    /// `message` with every form of the password replaced by `***`.
    func redact(_ message: String) -> String {
        passwordForms.reduce(message) { $0.masking($1) }
    }

    /// Masks the password of a URL that may not even parse, so it can be shown.
    public static func redact(url: String) -> String {
        guard let password = PostgresURLParts(url)?.password, !password.isEmpty else { return url }
        return url.masking(String(password))
    }

    // MARK: Checks

    /// What libpq would refuse only when connecting, said before: a port that is not a number, an
    /// unknown `sslmode`.
    private func checkValues() -> String? {
        if let ports = value("port") {
            for port in ports.split(separator: ",", omittingEmptySubsequences: false) {
                guard let number = Int(port), (1...65535).contains(number) else {
                    return "the port '\(port)' is not a number from 1 to 65535"
                }
            }
        }
        if let mode = value("sslmode"), !Self.sslModes.contains(mode) {
            return "sslmode '\(mode)' is not one of \(Self.sslModes.joined(separator: ", "))"
        }
        if let timeout = value("connect_timeout"), Int(timeout) == nil {
            return "connect_timeout '\(timeout)' is not a whole number of seconds"
        }
        return nil
    }

    private static func explain(libpqURLError reason: String, parts: PostgresURLParts?) -> String {
        func quoted(after prefix: String) -> String? {
            guard reason.hasPrefix(prefix) else { return nil }
            return String(String(reason.dropFirst(prefix.count)).trimming { "\" ".contains($0) })
        }
        if let parameter = quoted(after: "invalid URI query parameter:") {
            return "the query string names '\(parameter)', which is not a libpq connection parameter (sslmode, sslrootcert, connect_timeout, application_name, options, …)"
        }
        if let token = quoted(after: "invalid percent-encoded token:") {
            let part = parts?.part(containing: token) ?? "URL"
            return "the \(part) holds a '%' that does not start a %XX escape (write a literal % as %25)"
        }
        if reason.contains("IPv6 host address") {
            return "the host: an IPv6 address must be written in brackets, [::1]"
        }
        return reason
    }

    private static func malformed(_ url: String, reason: String, password: String?) -> GodwitError {
        let masked = password.map { reason.replacing($0, with: "***") } ?? reason
        return GodwitError(
            code: .configuration,
            summary: "malformed PostgreSQL URL \(redact(url: url)): \(masked)",
            details: [
                "expected postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=require, with @ : / ? # % in the user name or password percent-encoded (%40 %3A %2F %3F %23 %25); SUPABASE_DB_PASSWORD needs no escaping",
            ])
    }
}

extension String {
    var trimmingNewlines: String {
        String(trimmingEnd { $0.isNewline || $0 == " " })
    }

}

extension String {
    /// This text with every occurrence of `secret` replaced by `***`, found by its bytes: a match by
    /// characters would miss a password whose first or last character combines with the text around it.
    func masking(_ secret: String) -> String {
        let secret = Array(secret.utf8)
        guard !secret.isEmpty else { return self }
        let bytes = Array(utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        // A match starts on a scalar's first byte (the secret's first byte is one), so it ends on a boundary too.
        while index < bytes.count {
            if bytes[index...].starts(with: secret) {
                result += "***".utf8
                index += secret.count
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}
