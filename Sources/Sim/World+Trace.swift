import KakapoCore

/// Trace records for datagrams, decisions and lease changes (built only when tracing).
extension World {
    func traceDatagram(_ event: String, from: String, to: String, _ m: DHCPv4Message) {
        var f: [(String, TraceValue)] = [("event", .string(event)), ("from", .string(from)), ("to", .string(to)),
                                         ("msg", .string(m.messageType?.keaName ?? "unknown")),
                                         ("xid", .string("0x" + String(m.xid, radix: 16))),
                                         ("mac", .string(m.hardwareAddress.description))]
        if !m.ciaddr.isZero { f.append(("ciaddr", .string(m.ciaddr.description))) }
        if !m.yiaddr.isZero { f.append(("yiaddr", .string(m.yiaddr.description))) }
        if !m.giaddr.isZero { f.append(("giaddr", .string(m.giaddr.description))) }
        if let r = m.requestedAddress { f.append(("requested", .string(r.description))) }
        if let s = m.serverIdentifier { f.append(("server_id", .string(s.description))) }
        record("datagram", f)
    }

    func traceDrop(_ from: String, _ m: DHCPv4Message, _ reason: String) {
        guard tracing else { return }
        record("datagram", [("event", .string("drop")), ("from", .string(from)),
                            ("msg", .string(m.messageType?.keaName ?? "unknown")),
                            ("xid", .string("0x" + String(m.xid, radix: 16))),
                            ("mac", .string(m.hardwareAddress.description)), ("reason", .string(reason))])
    }

    func traceLease(_ server: SimServer, _ c: LeaseChange4, durable: Bool) {
        let l = c.lease
        let op: String
        if case .upsert = c { op = "upsert" } else { op = "delete" }
        record("lease", [("server", .string(server.spec.name)), ("op", .string(op)), ("address", .string(l.address.description)),
                         ("mac", .string(l.hardwareAddress?.description ?? "")), ("state", .int(Int64(l.state.rawValue))),
                         ("expire", .int(l.expire.secondsSinceEpoch - SimServer.epochBase)), ("durable", .bool(durable))])
    }

    func traceDecision(_ server: SimServer, _ ev: EngineEvent) {
        var f: [(String, TraceValue)] = [("server", .string(server.spec.name))]
        func client(_ l: ClientLabel) { f.append(("mac", .string(l.hardwareAddress.description))) }
        switch ev {
        case .dropped(let c, let r): f.append(("event", .string("dropped"))); client(c); f.append(("reason", .string("\(r)")))
        case .advertised(let c, let a): f.append(("event", .string("advertised"))); client(c); f.append(("address", .string(a.description)))
        case .allocated(let c, let a, _): f.append(("event", .string("allocated"))); client(c); f.append(("address", .string(a.description)))
        case .renewed(let c, let a, _): f.append(("event", .string("renewed"))); client(c); f.append(("address", .string(a.description)))
        case .nak(let c, let r):
            f.append(("event", .string("nak"))); client(c)
            if let a = r.address { f.append(("address", .string(a.description))) }
            f.append(("reason", .string("\(r)")))
        case .released(let c, let a): f.append(("event", .string("released"))); client(c); f.append(("address", .string(a.description)))
        case .declined(let c, let a, _): f.append(("event", .string("declined"))); client(c); f.append(("address", .string(a.description)))
        case .informed(let c): f.append(("event", .string("informed"))); client(c)
        case .allocationFailed(let c, let s):
            f.append(("event", .string("allocation-failed"))); client(c); f.append(("reason", .string("pool exhausted in subnet \(s)")))
        case .reclaimed(let a, let d, let hw):
            f.append(("event", .string("reclaimed")))
            if let hw { f.append(("mac", .string(hw.description))) }
            f.append(("address", .string(a.description))); f.append(("reason", .string(d ? "declined probation over" : "expired")))
        case .flushed(let n): f.append(("event", .string("flushed"))); f.append(("reason", .string("\(n) leases")))
        case .leaseWriteFailed(let c, let a, let r):
            f.append(("event", .string("write-failed"))); if let c { client(c) }
            f.append(("address", .string(a.description))); f.append(("reason", .string(r)))
        case .leaseReused(let c, let a, _): f.append(("event", .string("reused"))); client(c); f.append(("address", .string(a.description)))
        case .bootp(let c, let step): f.append(("event", .string("bootp"))); client(c); f.append(("reason", .string("\(step)")))
        case .flexOption(let c, let step): f.append(("event", .string("flex-option"))); client(c); f.append(("reason", .string("\(step)")))
        case .nameChangeQueued(_, _, let ncr):
            f.append(("event", .string(ncr.changeType == .add ? "ddns-add" : "ddns-remove")))
            f.append(("address", .string(ncr.address))); f.append(("reason", .string(ncr.fqdn)))
        case .leaseConflict(let c, let a, let n):
            f.append(("event", .string("conflict"))); if let c { client(c) }
            f.append(("address", .string(a.description))); f.append(("reason", .string("attempt \(n) lost the race")))
        }
        record("decision", f)
    }
}
