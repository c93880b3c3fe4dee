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

    /// The READMEs and documentation articles whose Swift snippets must compile.
    static var documents: [String] {
        get throws {
            let sources = repository.appendingPathComponent("Sources")
            var articles: [String] = []
            for module in try FileManager.default.contentsOfDirectory(atPath: sources.path).sorted() {
                let catalog = sources.appendingPathComponent("\(module)/\(module).docc")
                guard let files = try? FileManager.default.contentsOfDirectory(atPath: catalog.path) else { continue }
                articles += files.filter { $0.hasSuffix(".md") }.sorted().map { "Sources/\(module)/\(module).docc/\($0)" }
            }
            return ["README.md", "Examples/supabase-service/README.md"] + articles
        }
    }

    /// The package line README.md gives, which the test points at this checkout instead.
    static let packageLine = #".package(url: "https://github.com/godwit-swift/godwit", from: "\#(versionInChangelog)"),"#

    /// The newest version CHANGELOG.md names.
    static var versionInChangelog: String {
        let changelog = (try? String(contentsOf: repository.appendingPathComponent("CHANGELOG.md"), encoding: .utf8)) ?? ""
        return changelog.firstMatch(of: /\n## (\d+\.\d+\.\d+)/).map { String($0.output.1) } ?? "?"
    }

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
                let manifest = current!.first?.hasPrefix("// swift-tools-version:") == true
                blocks.append((manifest ? "Package.swift" : header.map { String($0.output.1) }, code))
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
        for document in try Self.documents {
            let text = try String(contentsOf: Self.repository.appendingPathComponent(document), encoding: .utf8)
            for block in Self.swiftBlocks(in: text) {
                let file = try #require(block.file, "\(document): a Swift snippet must start with // Sources/<target>/<file>.swift (or be a whole Package.swift):\n\(block.code)")
                #expect(files[file] == nil || files[file] == block.code, "\(document): two different snippets name \(file)")
                files[file] = block.code
            }
        }
        #expect(files["Sources/migrate/main.swift"] != nil, "README.md shows the migrate tool's main.swift")
        // README's Package.swift, as a user copies it, with Godwit's line pointed at this checkout.
        let readme = try String(contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let userManifest = try #require(Self.swiftBlocks(in: readme).first { $0.file == "Package.swift" }?.code, "README.md shows a whole Package.swift")
        #expect(userManifest.contains(Self.packageLine), "README.md's package line names the version CHANGELOG.md and godwit --version give")
        let version = try await godwit("--version", in: try TestFolder.make())
        #expect(version.stdout == Self.versionInChangelog + "\n", "godwit --version is CHANGELOG.md's newest version")
        files["Package.swift"] = userManifest.replacingOccurrences(
            of: Self.packageLine, with: #".package(name: "godwit", path: "\#(Self.repository.path)"),"#)

        let package = try TestFolder.make().appendingPathComponent("readme")
        for (path, code) in files {
            let url = package.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try code.write(to: url, atomically: true, encoding: .utf8)
        }
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
