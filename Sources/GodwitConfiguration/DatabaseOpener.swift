#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import GodwitCore
import GodwitPostgres
import GodwitSQLite

extension Configuration {
    /// Whether the database is a SQLite file that does not exist yet: a command that only reads then
    /// creates nothing, and finds nothing applied.
    public var isMissingSQLiteFile: Bool {
        guard case .sqlite(let path, _) = database else { return false }
        return access(path, F_OK) != 0
    }

    /// Connects; a failure becomes one `GodwitError` `.connection`: the database (password masked), the
    /// reason in the database's words, and what to change, naming the setting.
    ///
    /// - Parameter creating: whether a SQLite file that does not exist is created. A command that only
    ///   reads passes `false`: it then gets an empty database in memory, and the disk is left as it was.
    public func connect(creating: Bool = true) async throws -> any DatabaseConnection {
        do {
            switch database {
            case .sqlite(let path, _):
                if isMissingSQLiteFile {
                    guard creating else { return try await SQLiteConnection.open(path: ":memory:") }
                    try Configuration.checkFolderExists(of: path, source: databaseSource)
                }
                return try await SQLiteConnection.open(path: path, busyTimeout: migratorSettings.lockTimeout)
            case .postgres(let settings):
                return try await PostgresConnection.connect(settings)
            }
        } catch let error as DatabaseError {
            throw GodwitError(
                code: .connection, summary: "cannot connect to \(database): \(error.message)",
                details: error.connectionProblem.map { [advice(for: $0)] } ?? [], databaseError: error)
        }
    }

    /// SQLite says only "unable to open database file" when the file's folder is missing: name it.
    private static func checkFolderExists(of path: String, source: DatabaseSource) throws {
        guard let slash = path.lastIndex(of: "/") else { return }
        let folder = slash == path.startIndex ? "/" : String(path[..<slash])
        guard access(folder, F_OK) != 0 else { return }
        let setting = source == .flag ? "--database-url" : "DATABASE_URL"
        throw GodwitError(
            code: .connection, summary: "cannot create the SQLite database \(path): the folder \(folder) does not exist",
            details: ["create the folder first, or point \(setting) at a file in a folder that exists"])
    }

    /// What to do about `problem`, naming the setting that this configuration took it from.
    private func advice(for problem: ConnectionProblem) -> String {
        let fromVariables = databaseSource == .supabaseVariables
        let origin = databaseSource == .flag ? "--database-url" : "DATABASE_URL"
        func setting(_ variable: String, _ part: String) -> String {
            fromVariables ? variable : "the \(part) in \(origin)"
        }
        let tlsSetting = fromVariables ? "SUPABASE_DB_SSLMODE" : "sslmode in \(origin)"
        let rootSetting = fromVariables ? "SUPABASE_DB_SSLROOTCERT" : "sslrootcert=PATH in \(origin)"
        switch problem {
        case .authentication(let user):
            var advice = "check \(setting("SUPABASE_DB_PASSWORD", "password")) for user \(user ?? "?")"
            if !fromVariables { advice += " (in a URL, @ : / ? # % are written %40 %3A %2F %3F %23 %25)" }
            if case .postgres(let settings) = database, settings.isSupavisor {
                advice += "; Supabase's pooler wants the user postgres.<project-ref>"
            }
            return advice
        case .unknownHost(let host):
            return "no such host '\(host)': check \(setting("SUPABASE_DB_HOST", "host"))"
        case .refused:
            return "nothing accepts connections there: is the server running, and is \(setting("SUPABASE_DB_PORT", "port")) right? (Supabase: 5432 direct or session pooler, 6543 transaction pooler)"
        case .unavailable:
            return "the server is up but not taking connections yet (starting, recovering, shutting down or full): --wait SECONDS / GODWIT_WAIT_TIMEOUT retries until it is"
        case .unreachable:
            return "the host cannot be reached from here: check \(setting("SUPABASE_DB_HOST", "host")) and the network (Supabase's direct host is IPv6-only without the IPv4 add-on; its pooler has IPv4)"
        case .timeout(let seconds):
            return "no answer within \(seconds.map { "\($0) s" } ?? "the connect timeout"): check the host, port and firewall; --connect-timeout / GODWIT_CONNECT_TIMEOUT sets the wait"
        case .databaseMissing(let name):
            return "the server has no database '\(name)': create it, or check \(setting("SUPABASE_DB_NAME", "database name"))"
        case .tlsNotOffered:
            return "the server does not offer TLS, and sslmode requires it: enable TLS on the server, or set \(tlsSetting) to prefer or disable on a network you trust"
        case .tlsRequiredByServer:
            return "the server accepts this user over TLS only: set \(tlsSetting) to require or stronger (SUPABASE_DB_* use require by default)"
        case .untrustedCertificate:
            return "the server's certificate is not signed by the CA in sslrootcert: point \(rootSetting) at the CA that signed it (Supabase's is in the dashboard, Database settings, SSL)"
        case .certificateHostMismatch:
            return "connect with a host name that the certificate names, or use sslmode=verify-ca to check the CA only"
        case .missingRootCertificate(let path):
            return "sslmode verify-ca and verify-full need the CA's certificate\(path.map { " (\($0) does not exist)" } ?? ""): set \(rootSetting)"
        }
    }
}
