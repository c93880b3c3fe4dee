import Foundation
import GodwitTestSupport
import Testing

/// `scripts/install.sh`, as a newcomer runs it: the installed `godwit` runs with no Swift toolchain in reach.
@Suite("install")
struct InstallTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("scripts/install.sh PREFIX installs a godwit that needs no Swift toolchain: no libswift* in ldd, and it migrates SQLite")
    func install() async throws {
        let prefix = try TestFolder.make().appendingPathComponent("prefix")
        // Its own build folder: `swift test` keeps .build locked while the tests run.
        let installed = try await runToEnd(
            "/usr/bin/env", ["GODWIT_BUILD_PATH=\(Self.repository.path)/.build-install", "bash", Self.repository.appendingPathComponent("scripts/install.sh").path, prefix.path])
        #expect(installed.status == 0, "\(installed.output)")
        let binary = prefix.appendingPathComponent("bin/godwit")
        #expect(FileManager.default.isExecutableFile(atPath: binary.path), "\(installed.output)")
        #expect(installed.output.contains("installed \(binary.path)"), "\(installed.output)")

        let libraries = try await runToEnd("/usr/bin/ldd", [binary.path])
        #expect(libraries.status == 0, "\(libraries.output)")
        #expect(!libraries.output.contains("libswift"), "the Swift runtime is linked in\n\(libraries.output)")
        #expect(!libraries.output.contains("libFoundation"), "\(libraries.output)")
        #expect(!libraries.output.contains("not found"), "\(libraries.output)")
        #expect(!libraries.output.contains("/opt/swift"), "\(libraries.output)")
        #expect(libraries.output.contains("libpq.so"), "\(libraries.output)")
        #expect(libraries.output.contains("libsqlite3.so"), "\(libraries.output)")
        // Nor the whole of Foundation, whose ICU data alone is 30 MB: FoundationEssentials is all Godwit needs.
        let icu = try await runToEnd("/bin/sh", ["-c", #"nm "$1" | grep -c 'icudt[0-9]*_dat'; true"#, "sh", binary.path])
        #expect(icu.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "Foundation with ICU is linked in")

        // PATH and the library path hold no toolchain (runGodwit passes only PATH and HOME, and these).
        let folder = try TestFolder.make()
        let bare = ["PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": ""]
        let run = { (arguments: [String]) async throws -> CommandResult in
            try await runGodwit(arguments, in: folder, environment: bare, executable: binary)
        }
        let version = try await run(["--version"])
        #expect(version.status == 0 && version.stdout.wholeMatch(of: /\d+\.\d+\.\d+\n/) != nil, "\(version)")
        #expect(try await run(["init"]).status == 0)
        try sqlMigration(up: "CREATE TABLE users (id integer primary key);", down: "DROP TABLE users;")
            .write(to: folder.appendingPathComponent("migrations/001_users.sql"), atomically: true, encoding: .utf8)
        let latest = try await run(["latest"])
        #expect(latest.status == 0, "\(latest)")
        #expect(latest.stdoutLines.last == "001_users.sql", "\(latest)")
        #expect(try await run(["status", "--exit-code"]).status == 0)
    }
}
