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

    /// The DHCPv6 form: two-octet codes and lengths (RFC 8415 §21.1), as in option 17 and any
    /// option that encapsulates others. Nil when absent or when the list is truncated before it.
    public static func first6(_ code: UInt16, in data: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        all6(data).first { $0.code == code }?.data
    }

    /// Every two-octet code/length/data entry of a DHCPv6 list, up to the first truncated one.
    public static func all6(_ data: ArraySlice<UInt8>) -> [(code: UInt16, data: ArraySlice<UInt8>)] {
        var out: [(code: UInt16, data: ArraySlice<UInt8>)] = []
        var i = data.startIndex
        while i + 4 <= data.endIndex {
            let code = UInt16(data[i]) << 8 | UInt16(data[i + 1])
            let end = i + 4 + (Int(data[i + 2]) << 8 | Int(data[i + 3]))
            guard end <= data.endIndex else { break }
            out.append((code, data[(i + 4)..<end]))
            i = end
        }
        return out
    }
}
