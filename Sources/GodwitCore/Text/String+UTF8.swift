extension String {
    /// The text of a UTF-8 byte range (statement ranges and error offsets are UTF-8 offsets).
    package func utf8Slice(_ range: Range<Int>) -> String {
        let utf8 = self.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        let end = utf8.index(utf8.startIndex, offsetBy: range.upperBound)
        return String(self[start..<end])
    }
}

extension StringProtocol {
    /// The text without the characters at its end that `drop` picks.
    package func trimmingEnd(while drop: (Character) -> Bool) -> Substring {
        var text = Substring(self)
        while let last = text.last, drop(last) { text.removeLast() }
        return text
    }

    /// The text without the characters at either end that `drop` picks.
    package func trimming(while drop: (Character) -> Bool) -> Substring {
        var text = trimmingEnd(while: drop)
        while let first = text.first, drop(first) { text.removeFirst() }
        return text
    }
}
