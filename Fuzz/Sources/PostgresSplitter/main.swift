import FuzzCheck
import GodwitCore
import GodwitPostgres

// psql's split of a script (PostgresScriptSplitter): the statements lie in order, without overlap, with only
// white space, comments and `;` around them, so that pieces and gaps joined give back the script; a
// statement read again on its own is one statement, the same (unless something before it changed how the
// server reads strings).
Fuzz.run(fuzzOne)

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let script = Fuzz.text(data, count)
    let statements = PostgresScriptSplitter.read(script)
    Fuzz.checkLayout(statements, of: script, rules: .postgreSQL)
    Fuzz.check(
        PostgresScriptSplitter.statements(in: script) == statements.filter { !$0.isShellCommand }.map(\.range),
        "statements(in:) and read(_:) disagree")
    let bytes = Array(script.utf8)
    var parsingChanged = false
    for statement in statements {
        defer { parsingChanged = parsingChanged || statement.changesParsing }
        guard !parsingChanged, case .sql = statement.kind else { continue }
        let piece = String(decoding: bytes[statement.range], as: UTF8.self)
        let again = PostgresScriptSplitter.read(piece)
        Fuzz.check(
            again.count == 1 && again[0].range == 0..<piece.utf8.count,
            "the statement \(piece.debugDescription) read alone gives \(again.map(\.range))")
    }
    return 0
}
