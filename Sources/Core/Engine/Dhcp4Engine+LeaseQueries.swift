extension Dhcp4Engine {
    /// lease4-get-by-hostname: every lease whose hostname is the one given. Kea keeps lease
    /// hostnames in lower case and lowers the query, so the match ignores ASCII case. A walk
    /// over the store: there is no hostname index.
    func leaseGetByHostname(_ args: JSON?) -> JSON {
        guard let args, args.objectValue != nil else {
            return ControlResponse.make(.error, "Command arguments missing or a not a map.")
        }
        guard let value = args["hostname"] else { return ControlResponse.make(.error, "'hostname' parameter not specified") }
        guard let hostname = value.stringValue else { return ControlResponse.make(.error, "'hostname' parameter must be a string") }
        guard !hostname.isEmpty else { return ControlResponse.make(.error, "'hostname' parameter is empty") }
        let wanted = Self.asciiLowercased(hostname)
        var found: [Lease4] = []
        store.forEachLease { lease in
            if lease.hostname.utf8.count == wanted.utf8.count, Self.asciiLowercased(lease.hostname) == wanted {
                found.append(lease)
            }
        }
        return leaseList(found)
    }

    /// lease4-resend-ddns, with Kea's checks in Kea's order: the address argument, then whether
    /// DDNS updates are enabled, then the lease, its hostname and its fqdn flags. Kakapo has no
    /// name-change-request sender yet, so a lease that passes every check gets result 1 saying
    /// so, where Kea would queue an NCR.
    func leaseResendDDNS(_ args: JSON?) -> JSON {
        guard let value = args?["ip-address"] else { return ControlResponse.make(.error, "'ip-address' parameter is missing.") }
        guard let text = value.stringValue else { return ControlResponse.make(.error, "'ip-address' is not a string.") }
        guard let address = IPv4Address(text) else {
            if OptionIPv6Text.parse(text) != nil {
                return ControlResponse.make(.error, "Invalid IPv4 address specified: \(text)")
            }
            return ControlResponse.make(.error, "'\(text)' is not a valid IP address.")
        }
        guard config.ddns.enableUpdates else { return ControlResponse.make(.conflict, "DDNS updating is not enabled") }
        guard let lease = store.lease(at: address) else { return ControlResponse.make(.empty, "No lease found for: \(address)") }
        guard !lease.hostname.isEmpty else {
            return ControlResponse.make(.conflict, "Lease for: \(address), has no hostname, nothing to update")
        }
        guard lease.fqdnForward || lease.fqdnReverse else {
            return ControlResponse.make(.conflict, "Neither forward nor reverse updates enabled for lease for: \(address)")
        }
        return ControlResponse.make(.error, "Kakapo does not send DHCP-DDNS name change requests yet: no NCR generated for: \(address), hostname: \(lease.hostname)")
    }

    /// `s` with A-Z lowered, other bytes as they are (Kea lowers hostnames in the C locale).
    static func asciiLowercased(_ s: String) -> String {
        String(decoding: s.utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
