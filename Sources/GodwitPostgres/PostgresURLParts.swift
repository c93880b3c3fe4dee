/// A `postgres://` URL cut into the parts a person names, read the way a person wrote it: libpq's parser
/// decides what the URL means; this only finds the password to mask and names the part a problem is in.
///
/// The user information ends at the **last** `@`, since a password may hold any character; libpq stops
/// at the first `@` or `/`, so a raw `@` or `/` in a password would silently give libpq another host or port.
struct PostgresURLParts {
    /// The user name, as written (percent-encoded).
    var user: Substring?
    /// The password, as written (percent-encoded).
    var password: Substring?
    /// `host[:port][,host[:port]…]`.
    var hostAndPort: Substring
    /// The database name.
    var database: Substring?
    /// The query string, without `?`.
    var query: Substring?

    /// `nil` when `url` has no `scheme://`.
    ///
    /// Read byte by byte, as libpq reads it, not by characters: an `@` followed by a combining mark is one
    /// character to Swift but still ends the user information for libpq.
    init?(_ url: String) {
        let bytes = url.utf8
        guard let schemeEnd = bytes.firstRange(of: "://".utf8) else { return nil }
        var rest = url[schemeEnd.upperBound...]
        if let at = rest.utf8.lastIndex(of: UInt8(ascii: "@")) {
            let userInfo = rest[..<at]
            // "host/db@x" has no user information: a user name holds no '/', and there is no password.
            if userInfo.utf8.contains(UInt8(ascii: ":")) || !userInfo.utf8.contains(UInt8(ascii: "/")) {
                if let colon = userInfo.utf8.firstIndex(of: UInt8(ascii: ":")) {
                    user = userInfo[..<colon]
                    password = userInfo[userInfo.utf8.index(after: colon)...]
                } else {
                    user = userInfo
                }
                rest = rest[rest.utf8.index(after: at)...]
            }
        }
        if let question = rest.utf8.firstIndex(of: UInt8(ascii: "?")) {
            query = rest[rest.utf8.index(after: question)...]
            rest = rest[..<question]
        }
        if let slash = rest.utf8.firstIndex(of: UInt8(ascii: "/")) {
            database = rest[rest.utf8.index(after: slash)...]
            rest = rest[..<slash]
        }
        hostAndPort = rest
    }

    /// The characters a URL must percent-encode in its user information, with their escapes.
    static let reservedInUserInfo: [(character: Character, escape: String)] = [
        ("@", "%40"), ("/", "%2F"), ("?", "%3F"), ("#", "%23"),
    ]

    /// Names the first reserved character written raw in the user name or password, and its escape.
    func rawReservedCharacter() -> (part: String, character: Character, escape: String)? {
        for (part, text) in [("user name", user), ("password", password)] {
            guard let text else { continue }
            if let found = Self.reservedInUserInfo.first(where: { text.utf8.contains($0.character.asciiValue!) }) {
                return (part, found.character, found.escape)
            }
        }
        return nil
    }

    /// The name of the part that holds `token`, for messages.
    func part(containing token: String) -> String? {
        let parts: [(String, Substring?)] = [
            ("password", password), ("user name", user), ("database name", database), ("query string", query),
            ("host and port", hostAndPort),
        ]
        return parts.first { $0.1?.contains(token) == true }?.0
    }
}
