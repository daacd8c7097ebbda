extension Dhcp4Engine {
    /// lease4-get-by-hostname: every lease whose hostname is the one given. Kea keeps lease
    /// hostnames in lower case and lowers the query, so the match ignores ASCII case. A walk
    /// over the store: there is no hostname index.
    func leaseGetByHostname(_ args: JSON?) -> JSON {
        let wanted: String
        do { wanted = try LeaseCommandSupport.hostnameArgument(args) } catch { return error.answer }
        var found: [Lease4] = []
        store.forEachLease { lease in
            if LeaseCommandSupport.hostname(lease.hostname, matches: wanted) { found.append(lease) }
        }
        return leaseList(found)
    }

    /// lease4-resend-ddns, with Kea's checks in Kea's order: the address argument, then whether
    /// DDNS updates are enabled, then the lease, its hostname and its fqdn flags; then an add
    /// request for the lease's name is queued (libdhcp_lease_cmds' lease4-resend-ddns).
    mutating func leaseResendDDNS(_ args: JSON?, _ effects: inout Effects4) -> JSON {
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
        guard let ncr = nameChange(.add, for: lease) else {
            // No digest from the shell (a Core-only harness), or a name that is no DNS name.
            return ControlResponse.make(.error, "No NCR generated for: \(address), hostname: \(lease.hostname)")
        }
        effects.nameChanges.append(ncr)
        effects.events.append(.nameChangeQueued(hardwareAddress: lease.hardwareAddress, clientID: lease.clientID, ncr))
        return ControlResponse.make(.success, "NCR generated for: \(address), hostname: \(lease.hostname)")
    }
}
