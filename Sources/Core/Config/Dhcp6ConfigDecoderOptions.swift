/// DHCPv6 `option-data` lists, host reservations and client classes.
extension Dhcp6Decoding {
    /// The `dhcp6` options of one level, in file order. Options of other spaces in the list are
    /// packed (two-octet code and length, in code order) into the options of the level that
    /// encapsulate their space; `vendor-opts` (17) carries the options of `vendor-<enterprise>`,
    /// its enterprise number being its data. An option of a space nothing encapsulates is not
    /// sent, with a warning.
    mutating func decodeOptionData6(_ node: JSONNode, path: String) throws(ConfigError) -> [ConfiguredOption6] {
        var entries: [(space: OptionSpaceName, option: ConfiguredOption6, path: String, position: SourcePosition)] = []
        for (index, entry) in try array(node).enumerated() {
            let spec = try optionSpec(entry, path: "\(path)[\(index)]")
            let option: ConfiguredOption6
            do {
                option = try OptionDataEncoder.encode6(spec, table: optionTable)
            } catch {
                throw ConfigError(code: .invalidValue, message: error.message, position: spec.position)
            }
            entries.append((OptionSpaceName(spec.space), option, "\(path)[\(index)]", entry.position))
        }
        var packed: Set<Int> = []
        func subOptions(of space: OptionSpaceName, depth: Int) -> [UInt8] {
            guard depth < 8 else { return [] }
            var bytes: [UInt8] = []
            var codes: Set<UInt16> = []
            let members = entries.indices.filter { entries[$0].space == space }
                .sorted { (entries[$0].option.code, $0) < (entries[$1].option.code, $1) }
            for index in members where codes.insert(entries[index].option.code).inserted {
                packed.insert(index)
                let option = entries[index].option
                var payload = option.payload
                if let inner = optionTable.definition(OptionKey(space: space, code: option.code))?.encapsulatedSpace,
                   inner != space {
                    payload += subOptions(of: inner, depth: depth + 1)
                }
                bytes += [UInt8(option.code >> 8), UInt8(option.code & 0xFF),
                          UInt8(payload.count >> 8 & 0xFF), UInt8(payload.count & 0xFF)] + payload
            }
            return bytes
        }
        var options: [ConfiguredOption6] = []
        for entry in entries where entry.space == .dhcp6 {
            var option = entry.option
            if option.code == 17, option.payload.count >= 4 {
                let enterprise = option.payload[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                option.payload += subOptions(of: OptionSpaceName("vendor-\(enterprise)"), depth: 1)
            } else if let space = optionTable.definition(OptionKey(space: .dhcp6, code: option.code))?.encapsulatedSpace,
                      space != .dhcp6 {
                option.payload += subOptions(of: space, depth: 1)
            }
            options.append(option)
        }
        // The options of vendor spaces are also kept on their own: a client asks for them
        // inside its option 17 (CableLabs' ORO) or they are always-send (Kea 2.4's
        // appendRequestedVendorOptions).
        for entry in entries {
            guard let enterprise = entry.space.vendorEnterpriseNumber else { continue }
            var option = entry.option
            option.enterprise = enterprise
            options.append(option)
        }
        for (index, entry) in entries.enumerated()
        where entry.space != .dhcp6 && !packed.contains(index) && entry.space.vendorEnterpriseNumber == nil {
            notActedOn(entry.path, at: entry.position,
                       detail: "no option at this level encapsulates option space '\(entry.space)', so this option is not sent")
        }
        return options
    }

    mutating func decodeReservations6(_ node: JSONNode, path: String) throws(ConfigError) -> [Reservation6] {
        var out: [Reservation6] = []
        for (index, entry) in try array(node).enumerated() {
            out.append(try decodeReservation6(entry, path: "\(path)[\(index)]"))
        }
        return out
    }

    private mutating func decodeReservation6(_ node: JSONNode, path: String) throws(ConfigError) -> Reservation6 {
        var r = Reservation6(identifier: .duid([]))
        var identifierKey: String?
        for member in try object(node) {
            if let type = HostIdentifierType(rawValue: member.key), HostIdentifierType.supported6.contains(type) {
                if let first = identifierKey {
                    throw ConfigError.semantic(.conflict, "the '\(member.key)' and '\(first)' are mutually exclusive",
                                               at: member.value.position)
                }
                r.identifier = try decodeIdentifier(type, member.value, reservation: node.position)
                identifierKey = member.key
                continue
            }
            switch member.key {
            case "ip-addresses":
                for element in try array(member.value) {
                    let text = try string(element)
                    guard let a = IPv6Address(text) else {
                        throw ConfigError.semantic(.invalidValue, "invalid IPv6 address '\(text)' in reservation", at: element.position)
                    }
                    r.addresses.append(a)
                }
            case "prefixes":
                for element in try array(member.value) {
                    let text = try string(element)
                    guard let p = IPv6Prefix(text) else {
                        throw ConfigError.semantic(.invalidValue, "invalid prefix '\(text)' in reservation", at: element.position)
                    }
                    r.prefixes.append(p)
                }
            case "hostname":
                let h = try string(member.value)
                r.hostname = h.isEmpty ? nil : h
            case "option-data": r.optionData = try decodeOptionData6(member.value, path: "\(path)/option-data")
            case "client-classes": r.clientClasses = try decodeClassNames(member)
            default:
                if try annotation(member) { continue }
                throw unknownKey(member, context: "reservations")
            }
        }
        guard identifierKey != nil else {
            let names = HostIdentifierType.supported6.map(\.rawValue).sorted().joined(separator: ", ")
            throw ConfigError.semantic(.missingKey, "one of the supported identifiers must be specified for host reservation: "
                                       + names, at: node.position)
        }
        return r
    }

    /// Reserved addresses inside the subnet (when there is one) and each address, prefix and
    /// identifier reserved once (Kea's default `ip-reservations-unique: true`).
    func checkReservations6(_ list: [Reservation6], prefix: IPv6Prefix?, subnetID: UInt32,
                            at position: SourcePosition) throws(ConfigError) {
        var addresses = Set<IPv6Address>()
        var prefixes = Set<IPv6Prefix>()
        var identifiers = Set<HostIdentifier>()
        for r in list {
            for a in r.addresses {
                if let p = prefix, !p.contains(a) {
                    throw ConfigError.semantic(.conflict, "specified reservation for address \(a) is not within the IPv6 subnet \(p)",
                                               at: position)
                }
                guard addresses.insert(a).inserted else {
                    throw ConfigError.semantic(.duplicate, "failed to add new host using the \(r.identifier) and DHCPv6 subnet id "
                                               + "\(subnetID) to the address \(a): There's already a reservation for this address",
                                               at: position)
                }
            }
            for p in r.prefixes {
                guard prefixes.insert(p).inserted else {
                    throw ConfigError.semantic(.duplicate, "failed to add new host using the \(r.identifier) and DHCPv6 subnet id "
                                               + "\(subnetID) to the prefix \(p): There's already a reservation for this prefix",
                                               at: position)
                }
            }
            guard identifiers.insert(r.identifier).inserted else {
                throw ConfigError.semantic(.duplicate, "failed to add new host using the \(r.identifier) to the IPv6 subnet id "
                                           + "'\(subnetID)' as this host has already been added", at: position)
            }
        }
    }

    /// `client-classes`: names (unique, not empty), options, lifetimes, and a `test` (or
    /// `template-test`) in Kea's DHCPv6 expression language, refused with Kea's message when it
    /// does not parse or names (with `member`) a class neither built in nor defined before.
    mutating func decodeClientClasses6(_ node: JSONNode, path: String) throws(ConfigError) -> [ClientClass6] {
        var classes: [ClientClass6] = []
        for (index, entry) in try array(node).enumerated() {
            let entryPath = "\(path)[\(index)]"
            let nameMember = try require("name", in: entry, context: "client-classes")
            let name = try string(nameMember.value)
            guard !name.isEmpty else {
                throw ConfigError(code: .missingKey, message: "not empty parameter 'name' is required \(nameMember.value.position))",
                                  position: nameMember.value.position)
            }
            var c = ClientClass6(name: name)
            var scope = TimerScope(name: "client-classes", position: entry.position)
            var expressionMembers: [JSONNode.Member] = []
            for member in try object(entry) {
                switch member.key {
                case "name": break
                case "test", "template-test":
                    let text = try string(member.value)
                    expressionMembers.append(member)
                    guard !text.isEmpty else { continue }
                    c.testText = text
                    let table = optionTable
                    let isTest = member.key == "test"
                    let expression = try Dhcp4Decoding.keaExpression(text, at: member.value.position) {
                        file, line, column throws(ConfigError) in
                        isTest ? try ClassExpression.parse(text, file: file, line: line, column: column, options: table)
                            : try ClassExpression.parseString(text, file: file, line: line, column: column, options: table)
                    }
                    c.dependsOnKnown = try expression.checkMembers(
                        isBuiltIn: Dhcp4Decoding.isBuiltInClass,
                        dependsOnKnown: { name in classes.first { $0.name == name }?.dependsOnKnown })
                    if isTest { c.test = expression } else { c.templateTest = expression }
                case "only-if-required": c.onlyIfRequired = try bool(member.value)
                case "option-data": c.optionData = try decodeOptionData6(member.value, path: "\(entryPath)/option-data")
                default:
                    if try decodeTimer6(member, into: &c.timers, scope: &scope),
                       ["valid-lifetime", "min-valid-lifetime", "max-valid-lifetime", "preferred-lifetime",
                        "min-preferred-lifetime", "max-preferred-lifetime"].contains(member.key) { continue }
                    if try annotation(member) { continue }
                    throw unknownKey(member, context: "client-classes")
                }
            }
            if expressionMembers.count == 2 {
                let (t, tt) = (expressionMembers[0].value.position, expressionMembers[1].value.position)
                throw ConfigError(code: .conflict, message: "can not use both 'test' and 'template-test' (\(t)) and (\(tt))",
                                  position: tt)
            }
            try SpecialClassRules.check(name: name, onlyIfRequired: c.onlyIfRequired, hasTest: c.test != nil, at: entry.position)
            if classes.contains(where: { $0.name == name }) {
                throw ConfigError.semantic(.duplicate, "Can't add class: Client Class: \(name) has already been defined",
                                           at: entry.position)
            }
            classes.append(c)
        }
        return classes
    }
}
