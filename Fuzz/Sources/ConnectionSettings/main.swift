import FuzzCheck
import GodwitConfiguration
import GodwitCore
import GodwitPostgres

// The database settings: a password never shows in anything Godwit says of a URL or of SUPABASE_DB_*
// settings, parsed or refused. The input gives a password (its first line, made of characters a URL may
// hold as they are) and the rest of a URL or of the variables (the other lines).
Fuzz.run(fuzzOne)

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let text = Fuzz.text(data, count)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()+,;=")
    let password = "Pw" + String(lines.removeFirst().filter { allowed.contains($0) }.prefix(24))
    let rest = lines.joined(separator: "\n")
    // A password that the rest of the input holds anyway may show through that part: not a leak.
    guard password.count >= 6, !rest.contains(password) else { return 0 }

    let parts = rest.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
    let user = String(parts.first ?? "").filter { allowed.contains($0) }
    let url = "postgres://\(user.isEmpty ? "app" : user):\(password)@\(parts.count > 1 ? String(parts[1]) : "localhost/app")"
    guard url.ranges(of: password).count == 1 else { return 0 }
    do {
        let settings = try PostgresConnectionSettings(url: url)
        Fuzz.check(!settings.description.contains(password), "the description of \(url.debugDescription) shows the password: \(settings.description)")
    } catch {
        Fuzz.check(!Fuzz.everything(error).contains(password), "the error for \(url.debugDescription) shows the password: \(Fuzz.everything(error))")
    }
    Fuzz.check(!PostgresConnectionSettings.redact(url: url).contains(password), "redact(url:) leaves the password in \(url.debugDescription)")

    // The same password as SUPABASE_DB_PASSWORD, the rest's lines as the other variables.
    let names = ["SUPABASE_DB_HOST", "SUPABASE_DB_PORT", "SUPABASE_DB_NAME", "SUPABASE_DB_USER", "SUPABASE_DB_SSLMODE"]
    var environment = ["SUPABASE_DB_PASSWORD": password]
    for (name, value) in zip(names, rest.split(separator: "\n", omittingEmptySubsequences: false)) { environment[name] = String(value) }
    if environment["SUPABASE_DB_HOST"]?.isEmpty ?? true { environment["SUPABASE_DB_HOST"] = "db.example.supabase.co" }
    do {
        let configuration = try Configuration.resolve(processEnvironment: environment, directory: "/nonexistent-godwit-fuzz")
        Fuzz.check(!"\(configuration.database)".contains(password), "the database shows the password: \(configuration.database)")
    } catch {
        Fuzz.check(!Fuzz.everything(error).contains(password), "the error for \(environment) shows the password: \(Fuzz.everything(error))")
    }
    return 0
}
