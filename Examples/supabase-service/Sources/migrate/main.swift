import GodwitCLI
import ServiceMigrations

// Every godwit command (latest, rollback, up, down, status, list, unlock, make, wait), run with the Swift
// migrations compiled in and the SQL files of migrations/ read at run time.
await Godwit.main(migrations: GodwitMigrations.all, swiftMigrationsDirectory: GodwitMigrations.directory)
