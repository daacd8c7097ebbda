/// Strings, numbers and the three keywords, with Kea's error texts.
extension KeaJSONLexer {
    /// What can go wrong inside a string; the first problem met is reported, as Kea's
    /// ordered flex rules effectively do.
    private enum StringProblem {
        case control, badEscape, unsupportedUnicode
    }

    mutating func lexString() throws(ConfigError) -> KeaJSONToken {
        let startLine = line, startColumn = column
        let opening = spanAhead(1)
        advance(1)
        var raw: [UInt8] = [UInt8(ascii: "\"")]
        var decoded: [UInt8] = []
        var problem: StringProblem?
        while true {
            guard let byte = peek() else { throw ConfigError.at(.syntax, opening, "Invalid character: \"") }
            raw.append(byte)
            if byte == UInt8(ascii: "\"") {
                advance(1)
                break
            }
            if byte == UInt8(ascii: "\\") {
                advance(1)
                let outcome = escape(raw: &raw, into: &decoded)
                if problem == nil { problem = outcome }
                continue
            }
            if byte < 0x20 {
                if problem == nil { problem = .control }
            } else {
                decoded.append(byte)
            }
            if byte == UInt8(ascii: "\n") { newline() } else { advance(1) }
        }
        let tokenSpan = span(fromLine: startLine, column: startColumn)
        if let problem { throw stringError(problem, raw: raw, span: tokenSpan) }
        return KeaJSONToken(kind: .string(String(decoding: decoded, as: UTF8.self)), span: tokenSpan)
    }

    private func stringError(_ problem: StringProblem, raw: [UInt8], span: SourceSpan) -> ConfigError {
        let text = String(decoding: raw, as: UTF8.self)
        switch problem {
        case .control: return ConfigError.at(.syntax, span, "Invalid control in \(text)")
        case .badEscape: return ConfigError.at(.syntax, span, "Bad escape in \(text)")
        case .unsupportedUnicode: return ConfigError.at(.syntax, span, "Unsupported unicode escape in \(text)")
        }
    }

    /// Handles the byte after a backslash (the backslash is already consumed and in `raw`).
    private mutating func escape(raw: inout [UInt8], into decoded: inout [UInt8]) -> StringProblem? {
        guard let byte = peek(), byte >= 0x20 else { return .badEscape }
        raw.append(byte)
        advance(1)
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(byte)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"): return unicodeEscape(raw: &raw, into: &decoded)
        default: return .badEscape
        }
        return nil
    }

    /// `\uXXXX`. Kea supports only `\u0000`…`\u00ff`; strict JSON takes any scalar and
    /// surrogate pairs.
    private mutating func unicodeEscape(raw: inout [UInt8], into decoded: inout [UInt8]) -> StringProblem? {
        guard var value = readHex4(raw: &raw) else { return .badEscape }
        if dialect == .kea {
            guard value <= 0xFF else { return .unsupportedUnicode }
        } else if (0xD800...0xDBFF).contains(value) {
            guard lookahead(2).elementsEqual("\\u".utf8) else { return .badEscape }
            raw.append(contentsOf: "\\u".utf8)
            advance(2)
            guard let low = readHex4(raw: &raw), (0xDC00...0xDFFF).contains(low) else { return .badEscape }
            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(value) else { return .badEscape }
        decoded.append(contentsOf: String(Character(scalar)).utf8)
        return nil
    }

    private mutating func readHex4(raw: inout [UInt8]) -> UInt32? {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek(), let digit = KeaJSONLexer.hexValue(byte) else { return nil }
            raw.append(byte)
            advance(1)
            value = value << 4 | digit
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    // MARK: - Numbers

    /// Kea's two number rules, longest match first and the integer rule on a tie:
    /// integer `-?[0-9]+`, floating point `[-+]?[0-9]*\.?[0-9]*([eE][-+]?[0-9]+)?`.
    mutating func lexNumber() throws(ConfigError) -> KeaJSONToken {
        let integerLength = matchInteger()
        let floatLength = matchFloat()
        let length = max(integerLength, floatLength)
        let text = String(decoding: lookahead(length), as: UTF8.self)
        let tokenSpan = spanAhead(length)
        if dialect == .strict && !KeaJSONLexer.isStrictNumber(Array(text.utf8)) {
            throw ConfigError.at(.syntax, tokenSpan, "Invalid number: \(text)")
        }
        advance(length)
        if integerLength > 0 && integerLength == floatLength {
            guard let value = Int64(text) else {
                throw ConfigError.at(.syntax, tokenSpan, "Failed to convert \(text) to an integer.")
            }
            return KeaJSONToken(kind: .int(value), span: tokenSpan)
        }
        guard let value = KeaJSONLexer.parseDouble(text) else {
            throw ConfigError.at(.syntax, tokenSpan, "Failed to convert \(text) to a floating point.")
        }
        return KeaJSONToken(kind: .double(value), span: tokenSpan)
    }

    private func matchInteger() -> Int {
        var index = peek() == UInt8(ascii: "-") ? 1 : 0
        let firstDigit = index
        while let byte = peek(index), KeaJSONLexer.isDigit(byte) { index += 1 }
        return index > firstDigit ? index : 0
    }

    private func matchFloat() -> Int {
        var index = 0
        if let sign = peek(), sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { index = 1 }
        while let byte = peek(index), KeaJSONLexer.isDigit(byte) { index += 1 }
        if peek(index) == UInt8(ascii: ".") { index += 1 }
        while let byte = peek(index), KeaJSONLexer.isDigit(byte) { index += 1 }
        if let e = peek(index), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            var exponent = index + 1
            if let sign = peek(exponent), sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { exponent += 1 }
            let firstDigit = exponent
            while let byte = peek(exponent), KeaJSONLexer.isDigit(byte) { exponent += 1 }
            if exponent > firstDigit { index = exponent }
        }
        return index
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// Reads Kea's float forms, which C++ accepts but Swift's parser may not (`1.`, `.5`, `+2`).
    static func parseDouble(_ text: String) -> Double? {
        var bytes = Array(text.utf8)
        if bytes.first == UInt8(ascii: "+") { bytes.removeFirst() }
        guard bytes.contains(where: isDigit) else { return nil }
        var normalized: [UInt8] = []
        for (index, byte) in bytes.enumerated() {
            let previous = index > 0 ? bytes[index - 1] : nil
            let next = index + 1 < bytes.count ? bytes[index + 1] : nil
            if byte == UInt8(ascii: "."), previous.map(isDigit) != true { normalized.append(UInt8(ascii: "0")) }
            normalized.append(byte)
            if byte == UInt8(ascii: "."), next.map(isDigit) != true { normalized.append(UInt8(ascii: "0")) }
        }
        return Double(String(decoding: normalized, as: UTF8.self))
    }

    /// RFC 8259: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`.
    static func isStrictNumber(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            return index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else { return false }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
            guard digits() > 0 else { return false }
        }
        return index == bytes.count
    }

    // MARK: - true, false, null

    /// The lower-case keywords; any other case is Kea's "reserved keyword is lower case only".
    mutating func lexKeyword() throws(ConfigError) -> KeaJSONToken {
        let keywords: [(String, KeaJSONToken.Kind)] = [("true", .bool(true)), ("false", .bool(false)), ("null", .null)]
        for (word, kind) in keywords {
            let candidate = lookahead(word.utf8.count)
            guard candidate.count == word.utf8.count else { continue }
            let lowered = candidate.map { KeaJSONLexer.lowercased($0) }
            guard lowered.elementsEqual(word.utf8) else { continue }
            let tokenSpan = spanAhead(word.utf8.count)
            guard candidate.elementsEqual(word.utf8) else {
                throw ConfigError.at(.syntax, tokenSpan, "JSON \(word) reserved keyword is lower case only")
            }
            advance(word.utf8.count)
            return KeaJSONToken(kind: kind, span: tokenSpan)
        }
        throw invalidCharacter()
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}
