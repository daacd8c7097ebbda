/// Classification, as Kea 2.4's `Dhcpv6Srv` does it, on the passes both servers share
/// (`ClientClasses.evaluate`, `joinReserved`, `evaluateRequired`): on arrival `ALL`, the
/// built-in `VENDOR_CLASS_<vendor class data>` (option 16) and the tests that do not depend on
/// KNOWN/UNKNOWN, in configuration order, before subnet selection (so `client-class` guards
/// can use them); after the host lookup, the reservation's classes, KNOWN or UNKNOWN, then
/// the tests that depend on them. Membership of `DROP` after either stage drops the message.
/// `only-if-required` classes join only for the reply's options (`requiredClasses`).
extension Dhcp6Engine {
    /// Kea's prefix for the class named after the vendor class option.
    static var vendorClassPrefix: String { "VENDOR_CLASS_" }

    func classificationInput(_ q: Query6) -> ClassificationInput6 {
        ClassificationInput6(message: q.client, relays: q.relays, interfaceName: q.datagram.interface.name,
                             source: q.datagram.source, destination: q.datagram.destination,
                             packetLength: q.datagram.bytes.count, classes: q.classes.asSet, options: config.optionTable)
    }

    /// `ALL`, `VENDOR_CLASS_…` and the tests that need no host lookup.
    func classifyOnArrival(_ q: inout Query6) {
        q.classes.insert("ALL")
        // Kea's classifyByVendor: the DOCSIS cable modem and eRouter tuples by name, else
        // the first tuple of the (first) vendor class option.
        if let data = q.client.options[DHCPv6Option.vendorClass.code] {
            let tuples = ClassExpressionEvaluator<ClassificationInput6>.vendorClassTuples(data)
                .map { String(decoding: $0, as: UTF8.self) }
            if let name = ["docsis3.0", "eRouter1.0"].first(where: tuples.contains) ?? tuples.first {
                q.classes.insert(Self.vendorClassPrefix + name)
            }
        }
        guard !config.clientClasses.isEmpty else { return }
        q.classes.evaluate(config.clientClasses, dependingOnKnown: false, packet: classificationInput(q))
    }

    /// After the host lookup: the reservation's classes, KNOWN or UNKNOWN, then the tests that
    /// depend on them. A reservation of a subnet in a shared network gives its classes only
    /// after the leases (`reservedClassesDeferred`), as Kea's `initContext`: the allocation may
    /// move to another subnet of the network.
    func classifyAfterHostLookup(_ q: inout Query6) {
        if let h = q.host, !h.clientClasses.isEmpty, !reservedClassesDeferred(q) {
            q.classes.joinReserved(h.clientClasses, config.clientClasses, packet: classificationInput(q))
        }
        q.classes.insert(q.host != nil ? "KNOWN" : "UNKNOWN")
        guard !config.clientClasses.isEmpty else { return }
        q.classes.evaluate(config.clientClasses, dependingOnKnown: true, packet: classificationInput(q))
    }

    /// Whether the client's reservation is one of its subnet's, in a shared network: then its
    /// classes join after the leases are chosen (Kea's `conditionallySetReservedClientClasses`),
    /// for the reply's options only.
    func reservedClassesDeferred(_ q: Query6) -> Bool {
        guard let h = q.host, let s = q.subnet, s.sharedNetwork != nil else { return false }
        return s.reservations.contains { Self.sameIdentifier($0.identifier, h.identifier) }
    }

    /// Whether classes let a client use `s`: the subnet's `client-class` and its shared
    /// network's, when set, must be among them.
    func admits(_ s: Subnet6, _ classes: ClientClasses) -> Bool {
        if let c = s.clientClass, !classes.contains(c) { return false }
        if let c = network(of: s)?.clientClass, !classes.contains(c) { return false }
        return true
    }

    /// The client's classes for the reply's options: those it has, and the
    /// `require-client-classes` of the shared network, the subnet and the pools of the leases
    /// given (in that order) whose tests match (Kea's `requiredClassify`, after the leases).
    func requiredClasses(_ q: Query6, subnet: Subnet6?, pools: [PoolRange6]) -> ClientClasses {
        var classes = q.classes
        if reservedClassesDeferred(q), let h = q.host { for c in h.clientClasses { classes.insert(c) } }
        guard let s = subnet, !config.clientClasses.isEmpty else { return classes }
        var names = ClientClasses()
        for c in network(of: s)?.requireClientClasses ?? [] { names.insert(c) }
        for c in s.requireClientClasses { names.insert(c) }
        for p in pools { for c in p.requireClientClasses { names.insert(c) } }
        classes.evaluateRequired(names, config.clientClasses, packet: classificationInput(q))
        return classes
    }

    /// The `option-data` of the classes, in the order the packet joined them (they rank after
    /// the shared network's and before the globals, as Kea's `buildCfgOptionList`).
    func classOptionLists(_ classes: ClientClasses) -> [[ConfiguredOption6]] {
        guard !config.clientClasses.isEmpty else { return [] }
        return classes.compactMap { name in
            config.clientClasses.first { $0.name == name && !$0.optionData.isEmpty }?.optionData
        }
    }

    /// The preferred and valid triplets of the first classes of the packet that set them (Kea's
    /// `AllocEngine::getLifetimes6`, each looked up on its own), completed as `parseIntTriplet`.
    func classLifetimes(_ q: Query6) -> (preferred: (value: UInt32, min: UInt32, max: UInt32)?,
                                         valid: (value: UInt32, min: UInt32, max: UInt32)?) {
        let preferred = q.classes.first(of: config.clientClasses) {
            completedClassTriplet($0.timers.preferredLifetimeSeconds, min: $0.timers.minPreferredLifetimeSeconds,
                                  max: $0.timers.maxPreferredLifetimeSeconds)
        }
        let valid = q.classes.first(of: config.clientClasses) {
            completedClassTriplet($0.timers.common.validLifetimeSeconds, min: $0.timers.common.minValidLifetimeSeconds,
                                  max: $0.timers.common.maxValidLifetimeSeconds)
        }
        return (preferred, valid)
    }
}
