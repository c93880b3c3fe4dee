import FuzzCheck
import GodwitCore

// The checksum's normalisation: white space does not count, anything else does. The input's first byte
// picks how a second text is made from the rest: the same text with its white space changed (runs made
// longer or of other white space, some added at the ends), which must keep the checksum; and two halves,
// whose checksums must agree exactly when their words do.
Fuzz.run(fuzzOne)

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard count > 0, let data else { return 0 }
    let seed = data[0]
    let text = Fuzz.text(data + 1, count - 1)
    let whitespace: [String] = [" ", "\t", "\n", "\r\n", "\r", "\u{0B}", "\u{0C}", "  \n\t"]
    var reshaped = whitespace[Int(seed) % whitespace.count]
    var inRun = false
    var pick = Int(seed)
    for scalar in text.unicodeScalars {
        if isSpace(scalar) {
            if !inRun {
                pick = (pick &* 31 &+ 7) & 0xFFFF
                reshaped += whitespace[pick % whitespace.count]
            }
            inRun = true
        } else {
            reshaped.unicodeScalars.append(scalar)
            inRun = false
        }
    }
    reshaped += whitespace[(Int(seed) >> 3) % whitespace.count]
    let checksum = try? MigrationChecksum.of(text)
    Fuzz.check(checksum != nil && checksum == (try? MigrationChecksum.of(reshaped)),
               "\(text.debugDescription) and \(reshaped.debugDescription) differ only in white space but not in checksum")
    let scalars = Array(text.unicodeScalars)
    let half = scalars.count / 2
    let first = String(String.UnicodeScalarView(scalars[..<half])), second = String(String.UnicodeScalarView(scalars[half...]))
    Fuzz.check(
        ((try? MigrationChecksum.of(first)) == (try? MigrationChecksum.of(second))) == (words(of: first) == words(of: second)),
        "\(first.debugDescription) and \(second.debugDescription): checksums and words disagree on whether they are the same")
    return 0
}

/// The bytes MigrationChecksum ignores: ASCII white space.
private func isSpace(_ scalar: Unicode.Scalar) -> Bool {
    [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}"].contains(scalar)
}

/// The words of `text` as their bytes: the checksum reads bytes, so two words are the same only when their
/// bytes are (String's `==` would also call canonically equivalent spellings the same, such as combining
/// marks in another order).
private func words(of text: String) -> [[UInt8]] {
    text.unicodeScalars.split(whereSeparator: isSpace).map { Array(String(String.UnicodeScalarView($0)).utf8) }
}
