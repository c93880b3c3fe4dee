import CPgQuery
import FuzzCheck
import GodwitCore
import GodwitPostgres

// Godwit's split of a script (psql's rules) against libpg_query's pg_query_split_with_scanner (the server's
// own scanner), on the same input, both ways:
// - every statement the scanner finds in the script starts where one of Godwit's starts;
// - each of Godwit's statements, given to the scanner alone, is one statement or none to it, and (but for
//   the last, which psql sends at the end of the file whatever it holds) no unterminated string, quoted
//   name, dollar quote or comment: Godwit never ends a statement inside a token or joins two.
// Left out, where the two split by different rules on purpose: psql's backslash commands and COPY rows,
// which the server never sees; text after `SET standard_conforming_strings`, which the scanner reads with
// its default; and function bodies (psql counts BEGIN and CASE … END inside a CREATE statement, so that
// `BEGIN ATOMIC … END` stays whole), which a scanner splits at each `;`. The scanner's split also leaves
// out statements the server would refuse (whose first token is not a keyword, or with a parenthesis open),
// which psql sends, and the server's error then names: fewer statements for the scanner, never others.
// After a `)` with none open psql keeps its depth at 0 and the scanner's split goes below: such inputs
// (found with pg_query_scan's tokens) are left out too.
Fuzz.run(fuzzOne)

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let script = Fuzz.text(data, count)
    guard !script.utf8.contains(0) else { return 0 }
    let ours = PostgresScriptSplitter.read(script)
    let bytes = Array(script.utf8)
    for statement in ours {
        switch statement.kind {
        case .sql, .transactionControl: if statement.changesParsing { return 0 }
        default: return 0
        }
        let text = String(decoding: bytes[statement.range], as: UTF8.self).lowercased()
        if text.contains("create"), text.contains("begin") || text.contains("case") { return 0 }
    }
    // A `)` with none open: psql keeps its depth at 0, the scanner's split goes below, and from there the two
    // split at different `;` by design.
    guard let tokens = scannerTokens(script) else { return 0 }
    var depth = 0
    for token in tokens {
        if token == 40 { depth += 1 } else if token == 41 { depth -= 1 } else if token == 59, depth <= 0 { depth = 0 }
        if depth < 0 { return 0 }
    }
    guard let theirs = scannerStarts(script) else { return 0 }
    let starts = ours.map(\.range.lowerBound)
    Fuzz.check(Set(theirs).isSubset(of: starts), "statements start at \(starts) (psql's rules) and at \(theirs) (the server's scanner) in \(script.debugDescription)")
    for (index, statement) in ours.enumerated() {
        let piece = String(decoding: bytes[statement.range], as: UTF8.self) + ";"
        let alone = scannerStarts(piece)
        Fuzz.check(alone != nil || index == ours.count - 1,
                   "psql's statement \(piece.debugDescription) ends inside a token, says the scanner; in \(script.debugDescription)")
        Fuzz.check((alone?.count ?? 0) <= 1,
                   "psql's statement \(piece.debugDescription) is \(alone?.count ?? 0) statements to the scanner; in \(script.debugDescription)")
    }
    return 0
}

/// Where pg_query_split_with_scanner starts statements in `script` (past their leading trivia), statements
/// that are only trivia left out; `nil` when the scanner reports an error (an unterminated token).
private func scannerStarts(_ script: String) -> [Int]? {
    var script = script
    let result = pg_query_split_with_scanner(script)
    defer { pg_query_free_split_result(result) }
    guard result.error == nil else { return nil }
    var starts: [Int] = []
    script.withUTF8 { bytes in
        for index in 0..<Int(result.n_stmts) {
            guard let statement = result.stmts[index]?.pointee else { continue }
            let location = Int(statement.stmt_location), end = location + Int(statement.stmt_len)
            Fuzz.check(location >= 0 && end <= bytes.count, "libpg_query returned \(location)..<\(end) for \(bytes.count) bytes")
            let start = SQLTrivia.skip(UnsafeBufferPointer(rebasing: bytes[..<end]), from: location)
            if start < end { starts.append(start) }
        }
    }
    return starts
}

/// The tokens pg_query_scan finds in `script` (their Token numbers: a character token is its ASCII code),
/// read from its protobuf (ScanResult: field 2, repeated ScanToken; ScanToken: field 4, the token); `nil`
/// when the scanner reports an error.
private func scannerTokens(_ script: String) -> [Int]? {
    let result = pg_query_scan(script)
    defer { pg_query_free_scan_result(result) }
    guard result.error == nil, let data = result.pbuf.data else { return result.error == nil ? [] : nil }
    let bytes = UnsafeRawBufferPointer(start: data, count: Int(result.pbuf.len)).bindMemory(to: UInt8.self)
    func varint(_ index: inout Int, in end: Int) -> Int {
        var value = 0, shift = 0
        while index < end {
            let byte = bytes[index]
            index += 1
            value |= Int(byte & 0x7F) << shift
            shift += 7
            if byte & 0x80 == 0 { break }
        }
        return value
    }
    func skip(_ wireType: Int, _ index: inout Int, in end: Int) {
        switch wireType {
        case 0: _ = varint(&index, in: end)
        case 1: index += 8
        case 2:
            let length = varint(&index, in: end)
            index += length
        case 5: index += 4
        default: index = end
        }
    }
    var tokens: [Int] = []
    var index = 0
    while index < bytes.count {
        let key = varint(&index, in: bytes.count)
        guard key >> 3 == 2, key & 7 == 2 else {
            skip(key & 7, &index, in: bytes.count)
            continue
        }
        let length = varint(&index, in: bytes.count)
        let end = index + length
        var token = 0
        while index < end {
            let field = varint(&index, in: end)
            if field >> 3 == 4, field & 7 == 0 { token = varint(&index, in: end) } else { skip(field & 7, &index, in: end) }
        }
        index = end
        tokens.append(token)
    }
    return tokens
}
