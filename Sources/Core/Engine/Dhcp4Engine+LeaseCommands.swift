extension Dhcp4Engine {
    /// lease4-add / lease4-update, Kea's lease_cmds arguments.
    mutating func leaseAdd(_ args: JSON?, update: Bool, now: Now, _ effects: inout Effects4) -> JSON {
        guard let args, args.objectValue != nil else { return ControlResponse.make(.error, "Parameters missing or are not a map.") }
        guard let ipText = args["ip-address"]?.stringValue, let ip = IPv4Address(ipText) else {
            return ControlResponse.make(.error, "missing or invalid 'ip-address' parameter")
        }
        var subnetID: UInt32
        if let s = args["subnet-id"]?.intValue, s > 0 {
            subnetID = UInt32(clamping: s)
            guard let sn = subnet(id: subnetID) else { return ControlResponse.make(.error, "Invalid subnet-id: No IPv4 subnet with subnet-id=\(s) currently configured.") }
            guard sn.prefix.contains(ip) else {
                return ControlResponse.make(.error, "The address \(ip) does not belong to subnet \(sn.prefix), subnet-id=\(s)")
            }
        } else {
            guard let sn = subnet(containing: ip) else {
                return ControlResponse.make(.error, "subnet-id not specified and failed to find a subnet for address \(ip)")
            }
            subnetID = sn.id
        }
        var hw: HardwareAddress? = nil
        if let h = args["hw-address"]?.stringValue {
            guard let parsed = HardwareAddress(text: h) else { return ControlResponse.make(.error, "invalid 'hw-address' parameter") }
            hw = parsed
        }
        var cid: [UInt8]? = nil
        if let c = args["client-id"]?.stringValue {
            guard let parsed = HexText.decode(c) else { return ControlResponse.make(.error, "invalid 'client-id' parameter") }
            cid = parsed
        }
        if let v = args["valid-lft"]?.intValue, v <= 0 || v > Int64(UInt32.max) {
            // A zero lifetime would be written as a deletion row in the lease file.
            return ControlResponse.make(.error, "'valid-lft' must be between 1 and \(UInt32.max), got \(v)")
        }
        let valid = UInt32(clamping: args["valid-lft"]?.intValue ?? Int64(subnet(id: subnetID)
            .map { $0.timers.inheriting(from: config.timers).validLifetimeSeconds ?? 7200 } ?? 7200))
        let expire = args["expire"]?.intValue.map { WallTime(secondsSinceEpoch: $0) } ?? (now.wall + Seconds(Int64(valid)))
        var lease = Lease4(address: ip, hardwareAddress: hw, clientID: cid, validLifetimeSeconds: valid,
                           expire: expire, subnetID: subnetID)
        lease.hostname = args["hostname"]?.stringValue ?? ""
        lease.fqdnForward = args["fqdn-fwd"]?.boolValue ?? false
        lease.fqdnReverse = args["fqdn-rev"]?.boolValue ?? false
        if let st = args["state"]?.intValue {
            guard let s = LeaseState(rawValue: UInt32(clamping: st)) else { return ControlResponse.make(.error, "Invalid state value: \(st)") }
            lease.state = s
        }
        // Kea's lease parser reads 'force-create' for lease4-add too (and ignores it there).
        let forceCreate: Bool
        do { forceCreate = try LeaseCommandSupport.flag(args, "force-create") } catch { return error.answer }
        guard lease.isWellFormed else { return ControlResponse.make(.error, "'hw-address' or 'client-id' must be specified") }
        let old = store.lease(at: ip)
        if update && old == nil && !forceCreate {
            return ControlResponse.make(.error, "failed to update the lease with address \(ip) - no such lease")
        }
        if !update && old != nil {
            return ControlResponse.make(.conflict, "IPv4 lease already exists.")
        }
        adjustGauges(old: old, new: lease, now: now.wall)
        commit(.upsert(lease), into: &effects)
        guard update else { return ControlResponse.make(.success, "Lease for address \(ip), subnet-id \(subnetID) added.") }
        // lease4-update with force-create of a lease that did not exist: Kea adds it.
        return ControlResponse.make(.success, old == nil ? "IPv4 lease added." : "IPv4 lease updated.")
    }

    mutating func leaseDel(_ args: JSON?, now: Now, _ effects: inout Effects4) -> JSON {
        // 'update-ddns' asks for the lease's DNS entries to be removed too (Kea's lease_cmds:
        // a remove request when the lease has a name and a direction).
        if let problem = LeaseCommandSupport.updateDDNSProblem(args) { return problem }
        var target: Lease4? = nil
        if let ipText = args?["ip-address"]?.stringValue {
            guard let ip = IPv4Address(ipText) else { return ControlResponse.make(.error, "Failed to convert '\(ipText)' to address.") }
            target = store.lease(at: ip)
        } else if let type = args?["identifier-type"]?.stringValue, let ident = args?["identifier"]?.stringValue,
                  let sid = args?["subnet-id"]?.intValue {
            target = lookup(type: type, identifier: ident).first { Int64($0.subnetID) == sid }
        } else {
            return ControlResponse.make(.error, "Mandatory 'ip-address' parameter missing.")
        }
        guard let l = target else { return ControlResponse.make(.empty, "IPv4 lease not found.") }
        adjustGauges(old: l, new: nil, now: now.wall)
        commit(.delete(l), into: &effects)
        if args?["update-ddns"]?.boolValue == true { queueNameChange(.remove, for: l, &effects) }
        return ControlResponse.make(.success, "IPv4 lease deleted.")
    }

    mutating func leaseWipe(_ args: JSON?, now: Now, _ effects: inout Effects4) -> JSON {
        let ids: [UInt32]
        if let s = args?["subnet-id"]?.intValue, s > 0 {
            ids = [UInt32(clamping: s)]
        } else {
            ids = config.subnets.map(\.id)
        }
        let wanted = Set(ids)
        // Page through the store in address order, deleting as we go: the cursor is an
        // address, so deletions behind it do not disturb the walk.
        var deleted = 0
        var cursor: IPv4Address? = nil
        while true {
            let page = store.leases(after: cursor, limit: Store.walkPageSize)
            for l in page where wanted.contains(l.subnetID) {
                adjustGauges(old: l, new: nil, now: now.wall)
                commit(.delete(l), into: &effects)
                deleted += 1
            }
            guard page.count == Store.walkPageSize, let last = page.last else { break }
            precondition(cursor.map { last.address > $0 } ?? true, "lease page did not advance past \(last.address)")
            cursor = last.address
        }
        let list = ids.map(String.init).joined(separator: " ")
        return ControlResponse.make(deleted == 0 ? .empty : .success,
                                    "Deleted \(deleted) IPv4 lease(s) from subnet(s) \(list)")
    }
}
