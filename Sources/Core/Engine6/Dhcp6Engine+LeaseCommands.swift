/// lease6-add, lease6-update and lease6-wipe: the commands that change leases. Their writes
/// go through `commit` like a packet's, so the gauges follow and the shell makes them durable.
extension Dhcp6Engine {
    /// A lease from lease6-add / lease6-update arguments (Kea's Lease6Parser checks).
    func parseLease(_ args: JSON, now: Now) throws(ControlFailure) -> Lease6 {
        guard let ipText = args["ip-address"]?.stringValue else { throw ControlFailure("missing or invalid 'ip-address' parameter") }
        guard let ip = IPv6Address(ipText) else {
            if let v4 = IPv4Address(ipText) { throw ControlFailure("Non-IPv6 address specified: \(v4)") }
            throw ControlFailure("missing or invalid 'ip-address' parameter")
        }
        guard let duidText = args["duid"]?.stringValue, let duid = HexText.decode(duidText), !duid.isEmpty else {
            throw ControlFailure("missing or invalid 'duid' parameter")
        }
        let type = try Self.typeArgument(args)
        var prefixLength: UInt8 = 128
        if type == .delegatedPrefix {
            guard let p = args["prefix-len"]?.intValue else { throw ControlFailure("'prefix-len' parameter not specified") }
            guard (1...128).contains(p) else { throw ControlFailure("Invalid prefix length: \(p)") }
            prefixLength = UInt8(p)
        }
        // Kea checks an address lease against its subnet's prefix and selects the subnet of an
        // address lease given none; a prefix (or temporary address) lease needs its subnet-id.
        let subnet: Subnet6
        if let s = args["subnet-id"]?.intValue, s > 0 {
            guard let sn = config.subnets.first(where: { Int64($0.id) == s }) else {
                throw ControlFailure("Invalid subnet-id: No IPv6 subnet with subnet-id=\(s) currently configured.")
            }
            guard type != .nonTemporaryAddress || sn.prefix.contains(ip) else {
                throw ControlFailure("The address \(ip) does not belong to subnet \(sn.prefix), subnet-id=\(s)")
            }
            subnet = sn
        } else {
            guard type == .nonTemporaryAddress else {
                throw ControlFailure("Subnet-id is 0 or not specified. This is allowed for address leases only, not prefix leases.")
            }
            guard let sn = config.subnets.first(where: { $0.prefix.contains(ip) }) else {
                throw ControlFailure("subnet-id not specified and failed to find a subnet for address \(ip)")
            }
            subnet = sn
        }
        guard let iaid = args["iaid"]?.intValue, (0...Int64(UInt32.max)).contains(iaid) else {
            throw ControlFailure("missing or invalid 'iaid' parameter")
        }
        let t = timers(subnet)
        let valid = try Self.lifetime(args, "valid-lft", default: t.common.validLifetimeSeconds ?? 7200, allowsZero: false)
        // Kea defaults preferred-lft to the subnet's valid lifetime, not its preferred one.
        let preferred = try Self.lifetime(args, "preferred-lft", default: t.common.validLifetimeSeconds ?? 7200, allowsZero: true)
        let expire = args["expire"]?.intValue.map { WallTime(secondsSinceEpoch: $0) } ?? (now.wall + Seconds(Int64(valid)))
        var lease = Lease6(type: type, address: ip, prefixLength: prefixLength, duid: duid, iaid: UInt32(iaid),
                           preferredLifetimeSeconds: preferred, validLifetimeSeconds: valid, expire: expire, subnetID: subnet.id)
        lease.hostname = args["hostname"]?.stringValue ?? ""
        lease.fqdnForward = try LeaseCommandSupport.flag(args, "fqdn-fwd")
        lease.fqdnReverse = try LeaseCommandSupport.flag(args, "fqdn-rev")
        if lease.hostname.isEmpty && (lease.fqdnForward || lease.fqdnReverse) {
            throw ControlFailure("No hostname specified and either forward or reverse fqdn was set to true.")
        }
        if let h = args["hw-address"]?.stringValue {
            guard let parsed = HardwareAddress(text: h) else { throw ControlFailure("invalid 'hw-address' parameter") }
            lease.hardwareAddress = parsed
        }
        if let st = args["state"]?.intValue {
            guard let s = LeaseState(rawValue: UInt32(clamping: st)) else {
                throw ControlFailure("Invalid state value: \(st), supported values are: 0 (default), 1 (declined) and 2 (expired-reclaimed)")
            }
            guard s != .declined || type != .delegatedPrefix else { throw ControlFailure("Invalid declined state for PD prefix.") }
            lease.state = s
        }
        if let context = args["user-context"] {
            guard context.objectValue != nil else { throw ControlFailure("Invalid user context '\(context.serialized())' is not a JSON map.") }
            lease.userContext = context.serialized()
        }
        guard lease.isWellFormed else { throw ControlFailure("invalid lease at \(ip)") }
        return lease
    }

    /// A lifetime argument; absent is `default`. A zero valid lifetime would be written as a
    /// deletion row in the lease file, so it is refused.
    static func lifetime(_ args: JSON, _ key: String, default value: UInt32, allowsZero: Bool) throws(ControlFailure) -> UInt32 {
        guard let given = args[key] else { return value }
        guard let v = given.intValue, v >= (allowsZero ? 0 : 1), v <= Int64(UInt32.max) else {
            throw ControlFailure("'\(key)' must be between \(allowsZero ? 0 : 1) and \(UInt32.max), got \(given.serialized())")
        }
        return UInt32(v)
    }

    /// lease6-add / lease6-update (with `force-create`, an update of a missing lease adds it).
    mutating func leaseAdd(_ args: JSON?, update: Bool, now: Now, _ effects: inout Effects6) -> JSON {
        guard let args, args.objectValue != nil else { return ControlResponse.make(.error, "Parameters missing or are not a map.") }
        let lease: Lease6
        let forceCreate: Bool
        do {
            lease = try parseLease(args, now: now)
            forceCreate = try LeaseCommandSupport.flag(args, "force-create")
        } catch { return error.answer }
        // Leases are keyed by address alone: a row of another type there is the same row.
        let old = row(at: lease.address)
        if update && old == nil && !forceCreate {
            return ControlResponse.make(.error, "failed to update the lease with address \(lease.address) - no such lease")
        }
        if !update && old != nil { return ControlResponse.make(.conflict, "IPv6 lease already exists.") }
        if let old, old.type != lease.type { commit(.delete(old), into: &effects, now: now.wall) }
        commit(.upsert(lease), into: &effects, now: now.wall)
        guard update else {
            let what = lease.type == .delegatedPrefix ? "prefix \(lease.prefix)" : "address \(lease.address)"
            return ControlResponse.make(.success, "Lease for \(what), subnet-id \(lease.subnetID) added.")
        }
        return ControlResponse.make(.success, old == nil ? "IPv6 lease added." : "IPv6 lease updated.")
    }

    /// lease6-wipe: the leases of one subnet, or of every configured subnet.
    mutating func leaseWipe(_ args: JSON?, now: Now, _ effects: inout Effects6) -> JSON {
        let ids: [UInt32]
        if let s = args?["subnet-id"]?.intValue, s > 0 {
            ids = [UInt32(clamping: s)]
        } else {
            ids = config.subnets.map(\.id)
        }
        let wanted = Set(ids)
        // Collected first: the walk must not see the store change under it.
        var doomed: [Lease6] = []
        store.forEachLease { if wanted.contains($0.subnetID) { doomed.append($0) } }
        for l in doomed { commit(.delete(l), into: &effects, now: now.wall) }
        let list = ids.map(String.init).joined(separator: " ")
        return ControlResponse.make(doomed.isEmpty ? .empty : .success,
                                    "Deleted \(doomed.count) IPv6 lease(s) from subnet(s) \(list)")
    }
}
