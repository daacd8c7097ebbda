/// Sub-options packed as code-length-value triples inside an option (option 82's relay agent
/// sub-options, a vendor block's options). PAD and END have no special meaning here; the list
/// is read up to the first truncated entry. One walker for every reader of such lists.
public enum SubOptions {
    /// The data of the first sub-option `code` that `accept` takes, or nil.
    public static func first(_ code: UInt8, in data: ArraySlice<UInt8>,
                             where accept: (ArraySlice<UInt8>) -> Bool = { _ in true }) -> ArraySlice<UInt8>? {
        var i = data.startIndex
        while i + 1 < data.endIndex {
            let c = data[i]
            let start = i + 2
            let end = start + Int(data[i + 1])
            guard end <= data.endIndex else { return nil }
            if c == code, accept(data[start..<end]) { return data[start..<end] }
            i = end
        }
        return nil
    }
}
