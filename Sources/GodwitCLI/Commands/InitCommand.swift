import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GodwitConfiguration

/// `godwit init` (Knex's `init`): the migrations folder and a `.env.example` to copy, then the next steps.
///
/// What is already there is kept and said so: running it again changes nothing.
struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create the migrations folder and a .env.example, and say what to do next.")

    @Option(name: .customLong("migrations-dir"), help: "The folder of SQL migrations to create (default: GODWIT_MIGRATIONS_DIR, else migrations).")
    var migrationsDirectory: String?

    func run() async throws {
        try await reportingFailures {
            let folders = try Configuration.resolveFolders(migrationsDirectory: migrationsDirectory)
            let fileManager = FileManager.default
            #if canImport(FoundationEssentials)
            var isDirectory = false
            #else
            var isDirectory: ObjCBool = false
            #endif
            if fileManager.fileExists(atPath: folders.migrationsDirectory, isDirectory: &isDirectory) {
                #if canImport(FoundationEssentials)
                let isFolder = isDirectory
                #else
                let isFolder = isDirectory.boolValue
                #endif
                guard isFolder else {
                    throw ValidationError("\(folders.migrationsDirectory) exists and is not a folder")
                }
                Console.out("Kept \(folders.migrationsDirectory)/ (already there)")
            } else {
                try fileManager.createDirectory(atPath: folders.migrationsDirectory, withIntermediateDirectories: true)
                Console.out("Created \(folders.migrationsDirectory)/")
            }
            if fileManager.fileExists(atPath: Self.exampleFile) {
                Console.out("Kept \(Self.exampleFile) (already there)")
            } else {
                try Data(Self.example.utf8).write(to: URL(fileURLWithPath: Self.exampleFile))
                Console.out("Created \(Self.exampleFile)")
            }
            Console.out(Self.nextSteps)
        }
    }

    static let exampleFile = ".env.example"

    /// Every setting commented out: copied to `.env` as it is, development migrates `dev.sqlite3`.
    static let example = """
        # Copy to .env (kept out of git) and set one of the two below. Godwit reads .env, then
        # .env.<environment> (GODWIT_ENV, else NODE_ENV, else development); the process environment wins.
        # With neither set, development migrates the SQLite file dev.sqlite3.

        # A URL: postgres://user:password@host:5432/database?sslmode=require, or sqlite:dev.sqlite3.
        # Percent-encode @ / ? # % in the user name and password (%40 %2F %3F %23 %25).
        # DATABASE_URL=

        # Or Supabase's settings (Project settings, Database). The password needs no escaping here.
        # Direct: db.<project>.supabase.co:5432. Supavisor: <region>.pooler.supabase.com, 6543 transaction
        # mode, 5432 session mode, user postgres.<project>.
        # SUPABASE_DB_HOST=
        # SUPABASE_DB_PORT=5432
        # SUPABASE_DB_NAME=postgres
        # SUPABASE_DB_USER=postgres
        # SUPABASE_DB_PASSWORD=
        # SUPABASE_DB_SSLMODE=require
        # SUPABASE_DB_SSLROOTCERT=

        """

    static let nextSteps = """

        Next:
          cp .env.example .env              then set DATABASE_URL or SUPABASE_DB_* in it (and add .env to .gitignore)
          godwit make create_users          writes the first migration; fill in its -- migrate:up and -- migrate:down
          godwit latest                     applies it (godwit status shows what is applied)
        """
}
