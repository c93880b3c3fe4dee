#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One open folder, listed and read with plain POSIX calls.
///
/// Every `latest` reads every migration file, so a folder of 10,000 costs 10,000 reads before the first
/// statement. Opening each file relative to the folder's descriptor skips resolving the whole path again,
/// and reading into a scratch buffer skips the `Data` and attributes `FileManager` makes per file.
struct DirectoryReader: ~Copyable {
    /// The folder, as the user gave it, for messages.
    let path: String
    private let descriptor: Int32

    /// Opens the folder.
    ///
    /// - Throws: ``GodwitError``: the folder is missing, is a file, or cannot be opened.
    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            switch code {
            case ENOENT: throw GodwitError.migrationsDirectoryMissing(path: path)
            case ENOTDIR: throw GodwitError.migrationsDirectoryIsFile(path: path)
            default: throw GodwitError.cannotRead(path: path, reason: DirectoryReader.describe(code))
            }
        }
    }

    deinit { close(descriptor) }

    /// The names of the folder's entries, without `.` and `..`, in no particular order.
    func names() throws -> [String] {
        let copy = dup(descriptor)
        guard copy >= 0, let stream = fdopendir(copy) else {
            let code = errno
            if copy >= 0 { close(copy) }
            throw GodwitError.cannotRead(path: path, reason: DirectoryReader.describe(code))
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(cString: bytes.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Calls `body` with the bytes of the file `name` in the folder; the bytes are valid only during the call.
    ///
    /// - Throws: ``GodwitError`` (`.invalidMigrationFile`) when the file cannot be read, or what `body` throws.
    func withContents<T>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        let file = openat(descriptor, name, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { throw unreadable(name, errno) }
        defer { close(file) }
        var status = stat()
        guard fstat(file, &status) == 0 else { throw unreadable(name, errno) }
        let size = Int(status.st_size)
        return try withUnsafeTemporaryAllocation(byteCount: max(size, 1), alignment: 1) { buffer in
            var count = 0
            while count < size {
                let got = read(file, buffer.baseAddress! + count, size - count)
                if got < 0 && errno == EINTR { continue }
                guard got >= 0 else { throw unreadable(name, errno) }
                if got == 0 { break }  // it shrank meanwhile
                count += got
            }
            return try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    private func unreadable(_ name: String, _ code: Int32) -> GodwitError {
        GodwitError.invalidMigrationFile(
            path: join(name), line: nil, reason: "the file cannot be read (\(DirectoryReader.describe(code)))")
    }

    /// The path of an entry, for messages.
    func join(_ name: String) -> String {
        DirectoryReader.join(path, name)
    }

    /// The path of `name` in the folder `directory`.
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    private static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
