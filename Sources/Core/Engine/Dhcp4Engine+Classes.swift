extension Dhcp4Engine {
    /// Whether the client's classes let it use `subnet`: the subnet's `client-class` and its
    /// shared network's, when set, must be among them.
    func admits(_ subnet: Subnet4, _ x: Exchange) -> Bool {
        if let c = subnet.clientClass, !x.classes.contains(c) { return false }
        if let n = subnet.sharedNetwork, let c = config.sharedNetworks[n].clientClass, !x.classes.contains(c) {
            return false
        }
        return true
    }

    /// Whether the client's classes let it take addresses from `pool`.
    func admits(_ pool: Pool4, _ x: Exchange) -> Bool {
        pool.clientClass.map { x.classes.contains($0) } ?? true
    }

    /// The `option-data` lists that can answer for a reply, highest precedence first, as Kea
    /// ranks them: the host reservation, the pool, the subnet, its shared network, the
    /// client's classes (in the order the packet joined them), then the global options.
    func optionLayers(_ x: Exchange, subnet: Subnet4, pool: Pool4?, reservation: Reservation4?) -> [[ConfiguredOption]] {
        var layers: [[ConfiguredOption]] = []
        if let r = reservation, !r.optionData.isEmpty { layers.append(r.optionData) }
        if let p = pool, !p.optionData.isEmpty { layers.append(p.optionData) }
        if !subnet.optionData.isEmpty { layers.append(subnet.optionData) }
        if let n = subnet.sharedNetwork, !config.sharedNetworks[n].optionData.isEmpty {
            layers.append(config.sharedNetworks[n].optionData)
        }
        for name in x.classes {
            if let c = clientClass(named: name), !c.optionData.isEmpty { layers.append(c.optionData) }
        }
        if !config.optionData.isEmpty { layers.append(config.optionData) }
        return layers
    }

    /// The configured class of that name, if any.
    func clientClass(named name: String) -> ClientClass4? {
        config.clientClasses.first { $0.name == name }
    }
}

/// Classification, as Kea 2.4's `Dhcpv4Srv` does it: on arrival `ALL`, the built-in
/// `VENDOR_CLASS_<option 60>` and the tests that do not depend on KNOWN/UNKNOWN, in
/// configuration order (before subnet selection, so `client-class` guards can use them); with
/// `early-global-reservations-lookup`, a global reservation's classes and KNOWN before subnet
/// selection too; after the subnet's host lookup, the reservation's classes, KNOWN or UNKNOWN,
/// then the tests that depend on them. Membership of `DROP` after either stage drops the packet.
/// The classes stay on the exchange, so deciding it again after a conflict sees the same ones.
/// `only-if-required` classes are evaluated only for a reply (`withRequiredClasses`).
extension Dhcp4Engine {
    /// Kea's prefix for the class named after option 60.
    static var vendorClassPrefix: String { "VENDOR_CLASS_" }

    /// Classifies the packet, selects its subnet, and finishes classification after the host
    /// lookup. Returns false when the packet was dropped (a `DROP` member).
    mutating func classifyAndSelectSubnet(_ x: inout Exchange, _ effects: inout Effects4) -> Bool {
        classifyOnArrival(&x)
        let early = config.earlyGlobalReservationsLookup ? earlyGlobalReservation(&x) : nil
        if x.classes.contains("DROP") {
            drop(.dropClass, x.label, x.now, &effects)
            return false
        }
        x.subnet = selectSubnet(x)
        classifyAfterHostLookup(&x, early: early)
        if x.classes.contains("DROP") {
            drop(.dropClass, x.label, x.now, &effects)
            return false
        }
        return true
    }

    /// `ALL`, `VENDOR_CLASS_…` and the tests that need no host lookup.
    func classifyOnArrival(_ x: inout Exchange) {
        // Option 60 as Kea's string option reads it: trailing NULs dropped; an empty one names no class.
        if var vendor = x.message.options[DHCPv4Option.vendorClassIdentifier.code] {
            while vendor.last == 0 { vendor.removeLast() }
            if !vendor.isEmpty { x.classes.insert(Self.vendorClassPrefix + String(decoding: vendor, as: UTF8.self)) }
        }
        evaluateClasses(&x, dependingOnKnown: false)
    }

    /// With `early-global-reservations-lookup`: the client's global reservation, its classes
    /// (the first-pass tests evaluated again over them, as Kea does) and KNOWN.
    func earlyGlobalReservation(_ x: inout Exchange) -> Reservation4? {
        guard let r = lookUp(x.identifiers, in: config.reservations) else { return nil }
        if !r.clientClasses.isEmpty { joinReserved(r.clientClasses, &x) }
        x.classes.insert("KNOWN")
        evaluateClasses(&x, dependingOnKnown: true)
        return r
    }

    /// After subnet selection: the reservation's classes (unless the early lookup already
    /// joined them), KNOWN or UNKNOWN, then the tests that depend on them.
    func classifyAfterHostLookup(_ x: inout Exchange, early: Reservation4?) {
        // (Not x.subnet.flatMap { ... }: its closure would copy the exchange.)
        var found = early
        if let subnet = x.subnet, let r = reservation(for: x, in: subnet) { found = r }
        if let r = found, !r.clientClasses.isEmpty, r != early { joinReserved(r.clientClasses, &x) }
        x.classes.insert(found != nil ? "KNOWN" : "UNKNOWN")
        evaluateClasses(&x, dependingOnKnown: true)
    }

    /// Kea's `removeDependentEvaluatedClasses`, `setReservedClientClasses` and a new first
    /// pass: a class set by the reservation may change what the earlier tests say.
    private func joinReserved(_ names: [String], _ x: inout Exchange) {
        x.classes.joinReserved(names, config.clientClasses, packet: classificationInput(x))
    }

    /// One pass of Kea's `evaluateClasses` (see `ClientClasses.evaluate`).
    func evaluateClasses(_ x: inout Exchange, dependingOnKnown: Bool) {
        guard !config.clientClasses.isEmpty else { return }
        x.classes.evaluate(config.clientClasses, dependingOnKnown: dependingOnKnown, packet: classificationInput(x))
    }

    func classificationInput(_ x: Exchange) -> ClassificationInput4 {
        ClassificationInput4(message: x.message, interfaceName: x.datagram.interface.name, source: x.datagram.source,
                             destination: x.datagram.destination, packetLength: x.datagram.bytes.count,
                             classes: x.classes.asSet, options: config.optionTable)
    }

    /// Kea's `requiredClassify`: the classes named by `require-client-classes` of the shared
    /// network, the subnet, then the pool of the address given (in that order), each joined
    /// when its test matches. A class without a test is skipped, as Kea 2.4 does ("nothing to
    /// do without an expression", DHCP4_CLASS_UNTESTABLE; joining them came with Kea 2.7's
    /// additional classes). For a reply only: the lease lifetime was chosen before, as in Kea.
    /// Nil when nothing is required (the exchange as it is, not copied).
    func withRequiredClasses(_ x: Exchange, subnet: Subnet4, pool: Pool4?) -> Exchange? {
        let network = subnet.sharedNetwork.map { config.sharedNetworks[$0].requireClientClasses } ?? []
        guard !network.isEmpty || !subnet.requireClientClasses.isEmpty || !(pool?.requireClientClasses.isEmpty ?? true)
        else { return nil }
        var names = ClientClasses()
        for c in network { names.insert(c) }
        for c in subnet.requireClientClasses { names.insert(c) }
        if let p = pool { for c in p.requireClientClasses { names.insert(c) } }
        var x = x
        x.classes.evaluateRequired(names, config.clientClasses, packet: classificationInput(x))
        return x
    }

    /// BOOTP header fields from the classes: for each field, the first class (in the order the
    /// packet joined them) that sets it (Kea's `setFixedFields`, step 2).
    func classBootFields(_ x: Exchange) -> BootFields {
        var out = BootFields()
        guard !config.clientClasses.isEmpty else { return out }
        for name in x.classes {
            guard let c = clientClass(named: name) else { continue }
            out = out.inheriting(from: c.bootFields)
        }
        return out
    }

    /// The valid-lifetime triplet of the first class of the packet that sets one (Kea's
    /// `AllocEngine::getValidLft`: a class's triplet wins over the subnet's), completed as Kea's
    /// `parseIntTriplet` does: an absent default is the bound given, absent bounds the default.
    func classLifetimes(_ x: Exchange) -> LeaseTimers? {
        guard let t = x.classes.first(of: config.clientClasses, {
            completedClassTriplet($0.timers.validLifetimeSeconds, min: $0.timers.minValidLifetimeSeconds,
                                  max: $0.timers.maxValidLifetimeSeconds)
        }) else { return nil }
        return LeaseTimers(validLifetimeSeconds: t.value, minValidLifetimeSeconds: t.min, maxValidLifetimeSeconds: t.max)
    }
}

extension Dhcp4Engine {
    /// libdhcp_flex_id.so: the identifier expression's value for this query, nil when it is
    /// empty or cannot be computed (then no reservation is found by flex-id, as in Kea).
    func flexIdentifier(_ expression: ClassExpression, _ x: Exchange) -> [UInt8]? {
        guard case .success(let value) = expression.evaluateString(classificationInput(x)), !value.isEmpty else { return nil }
        return value
    }
}
