/// libdhcp_flex_option.so, built in: each configured entry adds, supersedes or removes one
/// option of the finished reply, by an expression evaluated against the query.
///
/// As Kea 2.4 does it, entries apply in configuration order to every reply: `add` only when the
/// reply lacks the option and the value is not empty; `supersede` when the value is not empty
/// (replacing any earlier instance); `remove` when the option is there and the test is true.
/// An entry with a `client-class` applies only to queries in that class. With `csv-format`
/// the value is text encoded with the option's definition; one that does not fit is logged
/// (FLEX_OPTION_PROCESS_ERROR) and that entry changes nothing.
extension Dhcp4Engine {
    func applyFlexOptions(_ r: inout DHCPv4Message, _ x: Exchange, _ effects: inout Effects4) {
        let rules = config.builtInHooks.flexOptions
        guard !rules.isEmpty else { return }
        let input = classificationInput(x)
        for rule in rules {
            if let name = rule.clientClass, !x.classes.contains(name) {
                effects.events.append(.flexOption(client: x.label, .skippedForClass(code: rule.code, className: name)))
                continue
            }
            switch rule.action {
            case .add(let e):
                guard !r.options.contains(rule.code) else { continue }
                guard let value = flexValue(e, rule, input, x, &effects) else { continue }
                r.options[rule.code] = value
                effects.events.append(.flexOption(client: x.label, .added(code: rule.code, value: value)))
            case .supersede(let e):
                guard let value = flexValue(e, rule, input, x, &effects) else { continue }
                r.options[rule.code] = nil
                r.options[rule.code] = value
                effects.events.append(.flexOption(client: x.label, .superseded(code: rule.code, value: value)))
            case .remove(let e):
                guard r.options.contains(rule.code), e.evaluate(input) else { continue }
                r.options[rule.code] = nil
                effects.events.append(.flexOption(client: x.label, .removed(code: rule.code)))
            }
        }
    }

    /// The option payload an add or supersede entry gives, or nil when there is none (an
    /// empty value, an expression that cannot be evaluated, a csv value that does not fit).
    private func flexValue(_ e: ClassExpression, _ rule: FlexOptionRule, _ input: ClassificationInput4,
                           _ x: Exchange, _ effects: inout Effects4) -> [UInt8]? {
        let value: [UInt8]
        switch e.evaluateString(input) {
        case .success(let v): value = v
        case .failure(let error):
            effects.events.append(.flexOption(client: x.label, .failed("\(error)")))
            return nil
        }
        guard !value.isEmpty else { return nil }
        guard rule.csvFormat else { return value }
        var spec = OptionDataSpec(position: SourcePosition(file: "libdhcp_flex_option.so", line: 0, column: 0))
        spec.code = Int(rule.code)
        spec.data = String(decoding: value, as: UTF8.self)
        spec.csvFormat = true
        do {
            return try OptionDataEncoder.encode(spec, table: config.optionTable).payload
        } catch {
            effects.events.append(.flexOption(client: x.label, .failed(error.message)))
            return nil
        }
    }
}
