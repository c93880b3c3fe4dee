import Foundation
import GodwitTestSupport
import Testing

/// Every Swift snippet of the READMEs is compiled: each names its file (`// Sources/<target>/….swift` on its
/// first line), and together they make a package that depends on this checkout, which is built and run.
@Suite("README snippets")
struct ReadmeSnippetTests {
    /// The repository's root.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The READMEs whose Swift snippets must compile.
    static let documents = ["README.md", "Examples/supabase-service/README.md"]

    /// The Swift blocks of a Markdown text, each with the file its first line names (`nil` when it names none).
    static func swiftBlocks(in markdown: String) -> [(file: String?, code: String)] {
        var blocks: [(String?, String)] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```swift" {
                current = []
            } else if current != nil, line == "```" {
                let code = current!.joined(separator: "\n") + "\n"
                let header = current!.first.flatMap { $0.wholeMatch(of: /\/\/ (Sources\/[A-Za-z0-9_]+\/[A-Za-z0-9_\/]+\.swift)/) }
                blocks.append((header.map { String($0.output.1) }, code))
                current = nil
            } else if current != nil {
                current!.append(line)
            }
        }
        return blocks
    }

    @Test("each README's Swift snippets build into a package; its migrate tool applies the README's migration, and make --swift adds one")
    func snippetsCompile() async throws {
        var files: [String: String] = [:]
        for document in Self.documents {
            let text = try String(contentsOf: Self.repository.appendingPathComponent(document), encoding: .utf8)
            for block in Self.swiftBlocks(in: text) {
                let file = try #require(block.file, "\(document): a Swift snippet must start with // Sources/<target>/<file>.swift:\n\(block.code)")
                #expect(files[file] == nil, "\(document): two snippets name \(file)")
                files[file] = block.code
            }
        }
        #expect(files["Sources/migrate/main.swift"] != nil, "README.md shows the migrate tool's main.swift")

        let package = try TestFolder.make().appendingPathComponent("readme")
        for (path, code) in files {
            let url = package.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try code.write(to: url, atomically: true, encoding: .utf8)
        }
        let targets = Set(files.keys.map { $0.split(separator: "/")[1] }).sorted()
        let targetLines = targets.map { name in
            """
                    .executableTarget(
                        name: "\(name)",
                        dependencies: [
                            .product(name: "GodwitCLI", package: "Godwit"), .product(name: "GodwitCore", package: "Godwit"),
                            .product(name: "GodwitSchema", package: "Godwit"), .product(name: "GodwitService", package: "Godwit"),
                            .product(name: "Logging", package: "swift-log"),
                            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                        ],
                        plugins: [.plugin(name: "GodwitMigrationsPlugin", package: "Godwit")]),
            """
        }
        let manifest = """
            // swift-tools-version: 6.1
            import PackageDescription

            let package = Package(
                name: "readme",
                platforms: [.macOS(.v15)],
                dependencies: [
                    .package(name: "Godwit", path: "\(Self.repository.path)"),
                    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
                    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
                ],
                targets: [
            \(targetLines.joined(separator: "\n"))
                ],
                swiftLanguageModes: [.v6]
            )

            """
        try manifest.write(to: package.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        func build() async throws {
            let built = try await runToEnd("/usr/bin/env", ["swift", "build", "--package-path", package.path])
            #expect(built.status == 0, "\(built.output)")
        }
        try await build()

        let migrate = package.appendingPathComponent(".build/debug/migrate")
        let database = try await TestDatabase.make(.sqlite)
        let environment = ["DATABASE_URL": database.url]
        let run = { (arguments: [String]) async throws -> CommandResult in
            try await runGodwit(arguments, in: package, environment: environment, executable: migrate)
        }
        // The README's migrate tool: its Swift migrations only (sqlMigrationsDirectory stays "migrations").
        try FileManager.default.createDirectory(at: package.appendingPathComponent("migrations"), withIntermediateDirectories: true)
        let latest = try await run(["latest"])
        #expect(latest.status == 0, "\(latest)")
        #expect(latest.stdoutLines.contains("20261125093000_create_users.swift"), "\(latest)")
        let made = try await run(["make", "add_bio", "--swift"])
        #expect(made.status == 0, "\(made)")
        let created = try #require(made.stdoutLines.first { $0.hasPrefix("Created Migration: Sources/migrate/Migrations/") }, "\(made)")
        try await build()
        let next = try await run(["latest"])
        #expect(next.stdoutLines.last.map { created.hasSuffix($0) } == true, "\(next)")
        let status = try await run(["status"])
        #expect(status.stdout.contains("Applied (2):"), "\(status)")
    }
}
