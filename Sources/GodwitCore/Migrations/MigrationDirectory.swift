import Dispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A folder of SQL migration files, read in name order.
///
/// ```swift
/// let migrations = try MigrationDirectory(path: "migrations").load()
/// ```
public struct MigrationDirectory: Sendable {
    /// The folder, as the user gave it.
    public let path: String

    /// Names a migrations folder.
    public init(path: String) {
        self.path = path
    }

    /// Reads every `.sql` file of the folder, ordered by name.
    ///
    /// Files with other extensions (a Node team's old `.js` / `.ts` files, say) are ignored, as are hidden files.
    ///
    /// - Throws: ``GodwitError``: the folder is missing or is a file, a file is unreadable or not UTF-8,
    ///   a file is not in dbmate's format, or two files share a name stem.
    public func load() throws -> [Migration] {
        let folder = try DirectoryReader(path: path)
        let names = try folder.names()
            .filter { !$0.hasPrefix(".") && $0.hasSuffix(".\(SQLMigrationFile.fileExtension)") }
            .sorted(by: Migration.precedes)
        try MigrationDirectory.checkUniqueStems(names, in: path)
        // Reading is mostly system calls (open, stat, read, close per file): the cores share the files, and
        // the first failure in name order is the one reported, as if they had been read one by one.
        let workers = min(MigrationDirectory.cores, max(1, names.count / MigrationDirectory.filesPerWorker))
        return try [Migration](unsafeUninitializedCapacity: names.count) { buffer, count in
            guard let base = buffer.baseAddress else { return }  // no files
            // Each worker fills its own share of the slots in order, and stops at its first failure.
            let shares = (0..<workers).map { (names.count * $0 / workers)..<(names.count * ($0 + 1) / workers) }
            var filled = shares.map(\.lowerBound)
            var failures = [(any Error)?](repeating: nil, count: workers)
            try filled.withUnsafeMutableBufferPointer { filled in
                try failures.withUnsafeMutableBufferPointer { failures in
                    let slots = Slots(migrations: base, filled: filled.baseAddress!, failures: failures.baseAddress!)
                    DispatchQueue.concurrentPerform(iterations: workers) { worker in
                        for index in shares[worker] {
                            do {
                                (slots.migrations + index).initialize(to: try read(names[index], from: folder))
                                slots.filled[worker] = index + 1
                            } catch {
                                slots.failures[worker] = error
                                return
                            }
                        }
                    }
                    guard let failure = failures.lazy.compactMap({ $0 }).first else { return }
                    for (share, end) in zip(shares, filled) {
                        (base + share.lowerBound).deinitialize(count: end - share.lowerBound)
                    }
                    throw failure
                }
            }
            count = names.count
        }
    }

    private func read(_ name: String, from folder: borrowing DirectoryReader) throws -> Migration {
        try folder.withContents(of: name) { bytes in
            guard MigrationDirectory.isUTF8(bytes) else {
                throw GodwitError.invalidMigrationFile(path: folder.join(name), line: nil, reason: "the file is not UTF-8 text")
            }
            return try SQLMigrationFile.parse(utf8: bytes, name: name, location: .inFolder(folder.path))
        }
    }

    /// The slots being filled in, and each worker's progress: a worker touches only its own share.
    private struct Slots: @unchecked Sendable {
        let migrations: UnsafeMutablePointer<Migration>
        let filled: UnsafeMutablePointer<Int>
        let failures: UnsafeMutablePointer<(any Error)?>
    }

    /// Below this many files per core, one core reads them all: starting threads would cost more.
    private static let filesPerWorker = 200
    private static let cores = ProcessInfo.processInfo.activeProcessorCount

    /// Writes a new migration from the template and returns its path.
    ///
    /// The name gets Knex's UTC timestamp prefix: `20261125093000_create_users.sql`, or, with `swift`,
    /// `20261125093000_create_users.swift` holding a ``SwiftMigration`` named `CreateUsers` (with the
    /// timestamp appended when the folder already has a migration of that name).
    ///
    /// A SQL folder that does not exist is created (as Knex does). A Swift one is created only inside a
    /// target folder that exists (`Sources/migrate` for `Sources/migrate/Migrations`): run in another
    /// folder, `make --swift` refuses rather than start a `Sources/` tree there.
    ///
    /// - Throws: ``GodwitError`` for a name that is not letters, digits, `_` and `-`, or a folder that
    ///   cannot be written.
    public func make(name: String, swift: Bool = false, now: Date = Date()) throws -> String {
        try MigrationDirectory.validate(newName: name)
        let fileManager = FileManager.default
        switch kind() {
        case .directory: break
        case .file: throw GodwitError.migrationsDirectoryIsFile(path: path)
        case .missing:
            let target = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
            if swift, !fileManager.fileExists(atPath: target) {
                throw GodwitError(
                    code: .migrationsDirectoryMissing,
                    summary: "the Swift migrations folder '\(path)' does not exist here, nor its target folder '\(target)'",
                    details: [
                        "run 'make --swift' in the folder of the package that builds the migrations (it is relative to it), or name the folder with --swift-dir / GODWIT_SWIFT_MIGRATIONS_DIR",
                        "nothing was created",
                    ])
            }
            do {
                try fileManager.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw GodwitError.cannotWrite(path: path, reason: "\(error)")
            }
        }
        let timestamp = MigrationDirectory.timestamp(now)
        let fileExtension = swift ? SwiftMigrationTemplate.fileExtension : SQLMigrationFile.fileExtension
        let fileName = "\(timestamp)_\(name).\(fileExtension)"
        let filePath = DirectoryReader.join(path, fileName)
        guard !fileManager.fileExists(atPath: filePath) else {
            throw GodwitError.cannotWrite(path: filePath, reason: "the file already exists")
        }
        var contents = SQLMigrationFile.template
        if swift {
            // Two migrations with one name would declare one type twice.
            let taken = (try? fileManager.contentsOfDirectory(atPath: path))?.contains { $0.hasSuffix("_\(name).swift") } ?? false
            let typeName = SwiftMigrationTemplate.typeName(for: name) + (taken ? timestamp : "")
            contents = SwiftMigrationTemplate.source(typeName: typeName, fileName: fileName)
        }
        guard fileManager.createFile(atPath: filePath, contents: Data(contents.utf8)) else {
            throw GodwitError.cannotWrite(path: filePath, reason: "the file could not be created")
        }
        return filePath
    }

    /// Knex's migration prefix: the UTC time as `YYYYMMDDHHMMSS`.
    public static func timestamp(_ date: Date) -> String {
        String(date.formatted(.iso8601).filter(\.isNumber).prefix(14))
    }

    /// Refuses names that would make awkward file names: only letters, digits, `_` and `-`.
    static func validate(newName name: String) throws {
        let allowed = name.unicodeScalars.allSatisfy {
            (("0"..."9").contains($0) || ("a"..."z").contains($0) || ("A"..."Z").contains($0)
                || $0 == "_" || $0 == "-")
        }
        guard !name.isEmpty, allowed, name.first != "-" else {
            throw GodwitError.invalidMigrationName(name)
        }
    }

    /// Refuses two migrations with one stem (`001_a.sql` and `001_a.swift`): both would claim one recorded
    /// migration. `names` must be sorted.
    ///
    /// - Throws: ``GodwitError`` naming both files.
    public static func checkUniqueStems(_ names: [String], in path: String) throws {
        var seen: [Substring: String] = [:]
        for name in names {
            let stem = Migration.stem(of: name)
            if let other = seen[stem] {
                throw GodwitError.duplicateMigrationStem(String(stem), files: [other, name], directory: path)
            }
            seen[stem] = name
        }
    }

    private enum Kind { case missing, file, directory }

    private func kind() -> Kind {
        #if canImport(FoundationEssentials)
        var isDirectory = false
        #else
        var isDirectory: ObjCBool = false
        #endif
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .missing }
        #if canImport(FoundationEssentials)
        return isDirectory ? .directory : .file
        #else
        return isDirectory.boolValue ? .directory : .file
        #endif
    }

    /// Whether the bytes are valid UTF-8; ASCII, the usual case, is checked without decoding.
    private static func isUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.allSatisfy { $0 < 0x80 } || String(validating: bytes, as: UTF8.self) != nil
    }
}
