/// `client-classes` (the global list of class definitions) and the keys that name classes
/// elsewhere: `client-class` and `require-client-classes` on subnets and pools, and a host
/// reservation's `client-classes`. Kea 2.4's `ClientClassDefParser` checks and wording.
extension Dhcp4Decoding {
    /// Built-in class names a `test` may name without defining them (Kea's `builtinNames`),
    /// and the built-in prefixes (`builtinPrefixes`). `DROP` is not built in: it is a class
    /// the configuration defines, so `member('DROP')` needs it defined first, as in Kea.
    static let builtInClassNames = SpecialClassRules.builtInNames
    static let builtInClassPrefixes = ["VENDOR_CLASS_", "HA_", "AFTER_", "EXTERNAL_"]

    static func isBuiltInClass(_ name: String) -> Bool {
        builtInClassNames.contains(name)
            || builtInClassPrefixes.contains { name.utf8.count > $0.utf8.count && name.hasPrefix($0) }
    }

    /// The `client-classes` list, in file order. Each `test` may name (with `member`) only
    /// built-in classes and classes defined before it.
    mutating func decodeClientClasses(_ node: JSONNode, path: String) throws(ConfigError) -> [ClientClass4] {
        var classes: [ClientClass4] = []
        for (index, entry) in try array(node).enumerated() {
            let c = try decodeClientClass(entry, defined: classes, path: "\(path)[\(index)]")
            classes.append(c)
        }
        return classes
    }

    private mutating func decodeClientClass(_ node: JSONNode, defined: [ClientClass4], path: String) throws(ConfigError) -> ClientClass4 {
        let nameMember = try require("name", in: node, context: "client-classes")
        let name = try string(nameMember.value)
        guard !name.isEmpty else {
            // Kea's text, its missing opening parenthesis included.
            throw ConfigError(code: .missingKey, message: "not empty parameter 'name' is required \(nameMember.value.position))",
                              position: nameMember.value.position)
        }
        var c = ClientClass4(name: name)
        var testMember: JSONNode.Member?
        var templateMember: JSONNode.Member?
        var timerPositions: SourcePosition?
        var optionDataMember: JSONNode.Member?
        var optionDefMember: JSONNode.Member?
        for member in try object(node) {
            switch member.key {
            case "name": break
            case "test":
                testMember = member
                _ = try string(member.value)
            case "template-test":
                templateMember = member
                _ = try string(member.value)
            case "only-if-required": c.onlyIfRequired = try bool(member.value)
            // Read after the loop: the class's definitions apply to its option-data.
            case "option-data": optionDataMember = member
            case "option-def": optionDefMember = member
            case "next-server": c.bootFields.nextServer = try classNextServer(member)
            case "server-hostname", "boot-file-name": _ = try decodeBootField(member, into: &c.bootFields)
            case "valid-lifetime":
                c.timers.validLifetimeSeconds = try uint32(member)
                timerPositions = timerPositions ?? member.value.position
            case "min-valid-lifetime":
                c.timers.minValidLifetimeSeconds = try uint32(member)
                timerPositions = timerPositions ?? member.value.position
            case "max-valid-lifetime":
                c.timers.maxValidLifetimeSeconds = try uint32(member)
                timerPositions = timerPositions ?? member.value.position
            case "offer-lifetime":
                _ = try uint32(member)
                notActedOn("\(path)/offer-lifetime", at: member.keySpan.start,
                           detail: "an offered address is not held for the client; the lease is written at the ACK")
            default:
                if try annotation(member) { continue }
                throw unknownKey(member, context: "client-classes")
            }
        }
        c.optionData = try decodeClassOptions(definitions: optionDefMember?.value, data: optionDataMember?.value, path: path)
        if let t = testMember, let tt = templateMember {
            throw ConfigError(code: .conflict,
                              message: "can not use both 'test' and 'template-test' (\(t.value.position)) and (\(tt.value.position))",
                              position: tt.value.position)
        }
        if let t = testMember {
            let text = try string(t.value)
            // An empty test is no test (Kea parses none).
            if !text.isEmpty {
                let table = optionTable
                let expression = try Self.keaExpression(text, at: t.value.position) { file, line, column throws(ConfigError) in
                    try ClassExpression.parse(text, file: file, line: line, column: column, options: table)
                }
                c.dependsOnKnown = try checkMembers(expression, defined: defined)
                c.test = expression
            }
        }
        if let tt = templateMember {
            let text = try string(tt.value)
            guard !text.isEmpty else {
                throw ConfigError.semantic(.invalidValue, "expression can not be empty at", at: tt.value.position)
            }
            let expression = try ClassExpression.parseString(text, file: tt.value.position.file, line: tt.value.position.line,
                                                             column: tt.value.position.column + 1, options: optionTable)
            c.dependsOnKnown = try checkMembers(expression, defined: defined)
            c.templateTest = expression
        }
        try checkClassTimers(c.timers, at: timerPositions ?? node.position)
        try SpecialClassRules.check(name: name, onlyIfRequired: c.onlyIfRequired,
                                    hasTest: testMember.map { (try? string($0.value))?.isEmpty == false } ?? false,
                                    at: node.position)
        if defined.contains(where: { $0.name == name }) {
            throw ConfigError.semantic(.duplicate, "Can't add class: Client Class: \(name) has already been defined", at: node.position)
        }
        return c
    }

    /// Kea's `isClientClassDefined` for every `member('…')` of a test: a built-in name or a
    /// class defined earlier in the list. Returns whether the test depends on KNOWN/UNKNOWN,
    /// directly or through a class that does.
    private func checkMembers(_ e: ClassExpression, defined: [ClientClass4]) throws(ConfigError) -> Bool {
        try e.checkMembers(isBuiltIn: Self.isBuiltInClass,
                           dependsOnKnown: { name in defined.first { $0.name == name }?.dependsOnKnown })
    }

    /// A class's `next-server`, with `ClientClassDefParser`'s checks: an IPv4 address, not
    /// the broadcast address; 0.0.0.0 means none.
    private func classNextServer(_ member: JSONNode.Member) throws(ConfigError) -> IPv4Address? {
        let text = try string(member.value)
        let position = member.value.position
        guard let a = IPv4Address(text) else {
            if text.contains(":") {
                throw ConfigError.semantic(.invalidValue, "Invalid next-server value: '\(text)', must be IPv4 address", at: position)
            }
            throw ConfigError.semantic(.invalidValue, "Invalid next-server value specified: '\(text)'", at: position)
        }
        if a == .broadcast {
            throw ConfigError.semantic(.invalidValue, "Invalid next-server value: '\(text)', must not be a broadcast", at: position)
        }
        return a.isZero ? nil : a
    }

    /// `SimpleParser::parseIntTriplet` on a class's valid-lifetime keys: min <= default <= max,
    /// where an absent default is the bound given.
    private func checkClassTimers(_ t: LeaseTimers, at position: SourcePosition) throws(ConfigError) {
        guard let value = t.validLifetimeSeconds ?? t.minValidLifetimeSeconds ?? t.maxValidLifetimeSeconds else { return }
        if let problem = KeaTimerRules.tripletProblem(name: "valid-lifetime", value: value,
                                                      minimum: t.minValidLifetimeSeconds, maximum: t.maxValidLifetimeSeconds) {
            throw ConfigError.semantic(.conflict, problem, at: position)
        }
    }

    /// Parses an expression as Kea's class parser reports it: a grammar error is
    /// `expression: [TEXT] error: <string>:1.COL: … at (file:line:col)`, pointing at the value.
    /// The tree keeps positions in the file (for later errors about the classes it names).
    static func keaExpression(_ text: String, at position: SourcePosition,
                              _ parse: (String, Int, Int) throws(ConfigError) -> ClassExpression) throws(ConfigError) -> ClassExpression {
        do {
            return try parse(position.file, position.line, position.column + 1)
        } catch {
            // Kea's message places the error inside the expression (<string>:1.COL).
            var relative = error.message
            do { _ = try parse("<string>", 1, 1) } catch let inner { relative = inner.message }
            // Kea's expression grammar lists what it expected only now and then; say what it
            // met, as it does.
            if let cut = relative.firstRange(of: ", expecting ") { relative = String(relative[..<cut.lowerBound]) }
            throw ConfigError(code: .invalidValue, message: "expression: [\(text)] error: \(relative) at (\(position))",
                              position: position)
        }
    }
}
