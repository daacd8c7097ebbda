/// The built-in hooks' behaviour for kakapo-dhcp4, decoded from `hooks-libraries`.
public struct BuiltInHooks4: Sendable, Equatable {
    /// `libdhcp_bootp.so` is named: BOOTP requests (no option 53) are served (`Dhcp4Engine+Bootp`).
    public var bootp: Bool = false
    /// `libdhcp_flex_option.so`'s `options`, in configuration order (`Dhcp4Engine+FlexOption`).
    public var flexOptions: [FlexOptionRule] = []
    /// `libdhcp_flex_id.so`'s `identifier-expression`: its value, when not empty, is the
    /// query's `flex-id` for host reservations (`Dhcp4Engine+Packet`).
    public var flexIdentifier: ClassExpression?
    public init() {}
}

/// One entry of the flexible-option hook's `options` list: what to do with one option of the
/// reply, decided by an expression evaluated against the query.
public struct FlexOptionRule: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// Add the option with the expression's value when the reply lacks it and the value is
        /// not empty.
        case add(ClassExpression)
        /// Replace the option (or add it) with the expression's value when it is not empty.
        case supersede(ClassExpression)
        /// Remove the option when the test is true.
        case remove(ClassExpression)
    }

    public var code: UInt8
    public var action: Action
    /// `csv-format`: the value is text encoded with the option's definition, not raw bytes.
    public var csvFormat: Bool
    /// `client-class`: the entry applies only to queries in this class.
    public var clientClass: String?

    public init(code: UInt8, action: Action, csvFormat: Bool = false, clientClass: String? = nil) {
        self.code = code
        self.action = action
        self.csvFormat = csvFormat
        self.clientClass = clientClass
    }
}

extension Dhcp4Decoding {
    /// The built-ins' parameters, checked as the libraries check them when Kea loads them.
    mutating func decodeBuiltInHooks(_ libraries: [HookLibrary], _ node: JSONNode) throws(ConfigError) -> BuiltInHooks4 {
        var hooks = BuiltInHooks4()
        for (library, entry) in zip(libraries, try array(node)) {
            switch library.hook {
            case .bootp:
                hooks.bootp = true
            case .flexibleOption:
                hooks.flexOptions += try decodeFlexOptions(entry)
            case .flexibleIdentifier:
                hooks.flexIdentifier = try decodeFlexIdentifier(entry)
            case .leaseCommands, .statisticsCommands, .highAvailability, .runScript:
                break
            }
        }
        return hooks
    }

    /// `libdhcp_flex_id.so`'s parameters: `identifier-expression` (a string expression, the
    /// flex-id), `replace-client-id` and `ignore-iaid` (booleans). `replace-client-id` is
    /// accepted with a warning: leases stay keyed by the client's own identity.
    private mutating func decodeFlexIdentifier(_ entry: JSONNode) throws(ConfigError) -> ClassExpression? {
        func fail(_ text: String, _ at: SourcePosition) -> ConfigError {
            ConfigError.semantic(.invalidValue, "loading Flex Identifier hooks library failed: \(text)", at: at)
        }
        guard let parameters = entry.member("parameters")?.value else { return nil }
        guard let members = parameters.members else { throw fail("'parameters' must be a map", parameters.position) }
        var expression: ClassExpression?
        for member in members {
            switch member.key {
            case "identifier-expression":
                guard let text = member.value.stringValue else {
                    throw fail("'identifier-expression' must be a string", member.value.position)
                }
                guard !text.isEmpty else { continue }
                let at = member.value.position
                do throws(ConfigError) {
                    expression = try ClassExpression.parseString(text, file: at.file, line: at.line, column: at.column + 1, options: optionTable)
                } catch {
                    throw fail("can't parse identifier-expression [\(text)] error: \(error.message)", at)
                }
            case "replace-client-id":
                guard let flag = member.value.boolValue else { throw fail("'replace-client-id' must be a boolean", member.value.position) }
                if flag {
                    notActedOn("Dhcp4/hooks-libraries/libdhcp_flex_id.so/replace-client-id", at: member.keySpan.start,
                               detail: "leases keep the client's own client-id and hardware address")
                }
            case "ignore-iaid":
                guard member.value.boolValue != nil else { throw fail("'ignore-iaid' must be a boolean", member.value.position) }
            default:
                throw fail("unknown parameter '\(member.key)'", member.keySpan.start)
            }
        }
        return expression
    }

    /// `libdhcp_flex_option.so`'s parameters: a mandatory `options` list. Errors carry the
    /// library's wording, after its load-error prefix.
    private func decodeFlexOptions(_ entry: JSONNode) throws(ConfigError) -> [FlexOptionRule] {
        func fail(_ text: String, _ at: SourcePosition) -> ConfigError {
            ConfigError.semantic(.invalidValue, "loading Flex Option hooks library failed: \(text)", at: at)
        }
        guard let parameters = entry.member("parameters")?.value, let options = parameters.member("options") else {
            throw fail("'options' parameter is mandatory", entry.position)
        }
        guard let list = options.value.elements else { throw fail("'options' parameter must be a list", options.value.position) }
        var rules: [FlexOptionRule] = []
        for option in list {
            do throws(FlexOptionDecodeError) {
                rules.append(try flexOptionRule(option))
            } catch {
                throw fail(error.text, error.position ?? option.position)
            }
        }
        return rules
    }

    private static let flexOptionKeys: [String: KeaValueKind] = [
        "code": .integer, "name": .string, "space": .string, "csv-format": .boolean,
        "add": .string, "supersede": .string, "remove": .string, "client-class": .string, "comment": .string,
        "sub-options": .list,
    ]

    private func flexOptionRule(_ node: JSONNode) throws(FlexOptionDecodeError) -> FlexOptionRule {
        let text = node.plain.serialized()
        guard let members = node.members else { throw FlexOptionDecodeError("option element is not a map") }
        for m in members {
            guard let kind = Self.flexOptionKeys[m.key] else { throw FlexOptionDecodeError("unknown parameter '\(m.key)'", m.keySpan.start) }
            guard kind.matches(m.value.value) else {
                let article = kind == .integer ? "an" : "a"
                throw FlexOptionDecodeError("'\(m.key)' must be \(article) \(kind.keaTypeName): \(m.value.plain.serialized())", m.value.position)
            }
        }
        func value(_ key: String) -> JSONNode? { node.member(key)?.value }
        let space = value("space").flatMap(\.stringValue) ?? "dhcp4"
        guard space == "dhcp4" else {
            throw FlexOptionDecodeError("options of space '\(space)' are not supported by the built-in flexible options", value("space")?.position)
        }
        if let sub = value("sub-options") {
            throw FlexOptionDecodeError("'sub-options' are not supported by the built-in flexible options", sub.position)
        }
        guard value("code") != nil || value("name") != nil else { throw FlexOptionDecodeError("'code' or 'name' must be specified: \(text)") }
        var code: UInt8 = 0
        if let c = value("code"), let n = c.integerValue {
            guard (0...255).contains(n) else { throw FlexOptionDecodeError("invalid 'code' value \(n) not in [0..255]", c.position) }
            if n == 0 { throw FlexOptionDecodeError("invalid 'code' value 0: reserved for PAD", c.position) }
            if n == 255 { throw FlexOptionDecodeError("invalid 'code' value 255: reserved for END", c.position) }
            code = UInt8(n)
        }
        if let nameNode = value("name"), let name = nameNode.stringValue {
            guard !name.isEmpty else { throw FlexOptionDecodeError("'name' must not be empty", nameNode.position) }
            guard let def = optionTable.definition(named: name, in: "dhcp4") else {
                throw FlexOptionDecodeError("no known '\(name)' option in 'dhcp4' space", nameNode.position)
            }
            if value("code") != nil, def.code != UInt16(code) {
                throw FlexOptionDecodeError("option '\(name)' is defined as code: \(def.code), not the specified code: \(code)", nameNode.position)
            }
            code = UInt8(truncatingIfNeeded: def.code)
        }
        let csv = value("csv-format").flatMap(\.boolValue) ?? false
        if csv, optionTable.definition(OptionKey(space: "dhcp4", code: UInt16(code))) == nil {
            throw FlexOptionDecodeError("no known option with code '\(code)' in 'dhcp4' space")
        }
        var action: FlexOptionRule.Action?
        for name in ["add", "supersede", "remove"] {
            guard let v = value(name), let expression = v.stringValue else { continue }
            guard !expression.isEmpty else { throw FlexOptionDecodeError("'\(name)' must not be empty", v.position) }
            guard action == nil else { throw FlexOptionDecodeError("multiple actions: \(text)", v.position) }
            let at = v.position
            do throws(ConfigError) {
                // The expression starts one column after the opening quote.
                if name == "remove" {
                    action = .remove(try ClassExpression.parse(expression, file: at.file, line: at.line, column: at.column + 1, options: optionTable))
                } else {
                    let e = try ClassExpression.parseString(expression, file: at.file, line: at.line, column: at.column + 1, options: optionTable)
                    action = name == "add" ? .add(e) : .supersede(e)
                }
            } catch {
                throw FlexOptionDecodeError("can't parse \(name) expression [\(expression)] error: \(error.message)", at)
            }
        }
        guard let action else { throw FlexOptionDecodeError("no action: \(text)") }
        return FlexOptionRule(code: code, action: action, csvFormat: csv, clientClass: value("client-class").flatMap(\.stringValue))
    }
}

/// A flexible-option entry the library would refuse: its text and where it points.
struct FlexOptionDecodeError: Error {
    var text: String
    var position: SourcePosition?
    init(_ text: String, _ position: SourcePosition? = nil) {
        self.text = text
        self.position = position
    }
}

extension KeaValueKind {
    /// Kea's `Element::typeToName`, as the hook libraries print a type mismatch.
    fileprivate var keaTypeName: String {
        switch self {
        case .integer: "integer"
        case .real: "real"
        case .boolean: "boolean"
        case .string: "string"
        case .list: "list"
        case .map: "map"
        }
    }
}

extension JSONNode {
    fileprivate var stringValue: String? { if case .string(let s) = value { s } else { nil } }
    fileprivate var integerValue: Int64? { if case .int(let n) = value { n } else { nil } }
    fileprivate var boolValue: Bool? { if case .bool(let b) = value { b } else { nil } }
}
