extension Dhcp6Engine {
    /// Call for every datagram received on a DHCPv6 server socket (port 547): client messages
    /// sent to All_DHCP_Relay_Agents_and_Servers or unicast, and relay-forward messages.
    public mutating func handle(datagram d: InboundDatagram, now: Now) -> Effects6 {
        // The exchanges are being built (Dhcp6Engine+*.swift); until then nothing is answered.
        Effects6()
    }

    /// Reclamation of expired leases, on Kea's timers.
    public mutating func handleDeadline(now: Now) -> Effects6 {
        scheduleTimers(after: now.monotonic)
        return Effects6()
    }
}

extension Dhcp6Engine: LeaseEngine {
    public typealias Family = DHCPv6Family

    /// The store's answer for a transaction: durable (release what waited on it), failed or a
    /// conflict (roll back and decide again).
    public mutating func handle(outcome: WriteOutcome6, of id: TransactionID, now: Now) -> Effects6 {
        inFlight[id] = nil
        return Effects6()
    }
}
