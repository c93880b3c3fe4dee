import FuzzCheck
import GodwitConfiguration
import GodwitCore

// The .env reader: any text is read or refused naming a line of it; and any value, written with
// DotEnvFile.quoted, reads back as it was, beside others (the input split at NUL bytes gives the values).
Fuzz.run(fuzzOne)

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let text = Fuzz.text(data, count)
    do {
        _ = try DotEnvFile(parsing: text, path: ".env")
    } catch let error as GodwitError {
        let lineCount = text.utf8.split(omittingEmptySubsequences: false, whereSeparator: { $0 == 0x0A || $0 == 0x0D }).count
        let line = error.summary.hasPrefix(".env:") ? Int(error.summary.dropFirst(5).prefix(while: \.isNumber)) : nil
        Fuzz.check(error.code == .configuration && line.map { 1...lineCount ~= $0 } == true,
                   "refused without naming a line of its \(lineCount) (at most): \(error.summary)")
    } catch {
        Fuzz.check(false, "refused with an error that is not a GodwitError: \(error)")
    }
    let values = text.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
    let file = values.enumerated().map { "export  KEY_\($0.offset) =\t\(DotEnvFile.quoted($0.element))" }.joined(separator: "\r\n")
    do {
        let variables = try DotEnvFile(parsing: "# values\n" + file + "\n", path: ".env").variables
        for (index, value) in values.enumerated() {
            Fuzz.check(variables["KEY_\(index)"] == value,
                       "\(value.debugDescription) written as \(DotEnvFile.quoted(value).debugDescription) reads back as \(variables["KEY_\(index)"]?.debugDescription ?? "nothing")")
        }
        Fuzz.check(variables.count == values.count, "\(values.count) values read back as \(variables.count)")
    } catch {
        Fuzz.check(false, "quoted values refused: \(error)")
    }
    return 0
}
