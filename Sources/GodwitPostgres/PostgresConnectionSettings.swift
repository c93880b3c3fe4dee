import CLibPQ
import GodwitCore

/// Where and how to connect to PostgreSQL: libpq's connection parameters, parsed by libpq itself.
///
/// ```swift
/// let settings = try PostgresConnectionSettings(url: "postgres://app:secret@db.example.com:5432/app?sslmode=require")
/// print(settings)   // postgres://app:***@db.example.com:5432/app?sslmode=require
/// ```
///
/// The password is kept apart and never appears in ``description`` or in any error.
public struct PostgresConnectionSettings: Sendable, CustomStringConvertible {
    /// libpq keyword/value pairs (`host`, `port`, `dbname`, `user`, `sslmode`, …), without the password.
    public let parameters: [(keyword: String, value: String)]
    /// The password, if one was given.
    let password: String?

    /// Parses a `postgres://` / `postgresql://` URL (or a libpq `key=value` string) with libpq's parser.
    ///
    /// - Throws: ``GodwitError`` `.configuration` naming what is wrong, with the password masked.
    public init(url: String) throws {
        var failure: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &failure) else {
            let reason = failure.map { String(cString: $0) } ?? "out of memory"
            if let failure { PQfreemem(failure) }
            throw GodwitError(
                code: .configuration,
                summary: "malformed PostgreSQL URL \(PostgresConnectionSettings.redact(url: url))",
                details: [
                    PostgresConnectionSettings.redact(message: reason.trimmingNewlines, password: PostgresConnectionSettings.password(inURL: url)),
                    "expected postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=require (percent-encode @ : / ? # % in the password)",
                ])
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
        self.parameters = parameters
        self.password = password
    }

    /// Settings from separate values, as the `SUPABASE_DB_*` variables give them.
    public init(
        host: String, port: String? = nil, database: String? = nil, user: String? = nil, password: String? = nil,
        sslMode: String? = nil
    ) {
        var parameters = [("host", host)]
        if let port { parameters.append(("port", port)) }
        if let database { parameters.append(("dbname", database)) }
        if let user { parameters.append(("user", user)) }
        if let sslMode { parameters.append(("sslmode", sslMode)) }
        self.parameters = parameters
        self.password = password
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
        let shown: Set = ["user", "host", "hostaddr", "port", "dbname"]
        let query = parameters.filter { !shown.contains($0.keyword) }.map { "\($0.keyword)=\($0.value)" }
        return "postgres://\(user)\(host)\(port)\(database)" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }

    /// Every keyword/value pair for libpq, the password included.
    func connectionParameters(defaults: [(String, String)]) -> [(String, String)] {
        var all = parameters.map { ($0.keyword, $0.value) }
        for (keyword, value) in defaults where value != "" && !all.contains(where: { $0.0 == keyword }) {
            all.append((keyword, value))
        }
        if let password { all.append(("password", password)) }
        return all
    }

    /// Masks the password of a URL that libpq could not parse, so it can be shown.
    public static func redact(url: String) -> String {
        guard let password = password(inURL: url) else { return url }
        return redact(message: url, password: password)
    }

    /// Replaces every occurrence of `password` in `message` with `***`.
    static func redact(message: String, password: String?) -> String {
        guard let password, !password.isEmpty else { return message }
        return message.replacing(password, with: "***")
    }

    /// The password part of `scheme://user:password@host…`, found without trusting the URL to be well formed:
    /// everything between the first `:` after the scheme and the last `@` before the path.
    static func password(inURL url: String) -> String? {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        let afterScheme = url[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.lastIndex(of: "@") ?? afterScheme.startIndex
        let userInfo = afterScheme[..<authorityEnd]
        guard let colon = userInfo.firstIndex(of: ":") else { return nil }
        let password = userInfo[userInfo.index(after: colon)...]
        return password.isEmpty ? nil : String(password)
    }
}

extension String {
    var trimmingNewlines: String {
        var text = Substring(self)
        while let last = text.last, last.isNewline || last == " " { text.removeLast() }
        return String(text)
    }
}
