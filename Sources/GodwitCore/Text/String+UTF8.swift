extension String {
    /// The text of a UTF-8 byte range (statement ranges and error offsets are UTF-8 offsets).
    public func utf8Slice(_ range: Range<Int>) -> String {
        let utf8 = self.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        let end = utf8.index(utf8.startIndex, offsetBy: range.upperBound)
        return String(self[start..<end])
    }
}
