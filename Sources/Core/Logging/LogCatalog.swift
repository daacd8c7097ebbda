/// Where a log message ID comes from.
public enum LogOrigin: Sendable, Equatable {
    /// Kea 2.4 has this ID; Kakapo logs it for the same event, with Kea's severity and wording.
    case kea
    /// Kakapo's own: Kea has no message for this event.
    case kakapo
}

/// One log message ID: what the daemons print after the severity, and what it means.
public struct LogMessage: Sendable, Equatable {
    public let id: String
    public let severity: Severity
    public let origin: LogOrigin
    /// One line, in the manner of Kea's message files: when the message is logged and what
    /// the operator should make of it.
    public let explanation: String

    public init(_ id: String, _ severity: Severity, _ origin: LogOrigin, _ explanation: String) {
        self.id = id
        self.severity = severity
        self.origin = origin
        self.explanation = explanation
    }
}

/// Every log message ID Kakapo emits. A message for an event Kea also logs uses Kea's ID,
/// severity and wording (so that log watchers written for Kea keep working); the few that are
/// Kakapo's own are marked `.kakapo`. `LogCatalogTests` scans the sources and fails on an ID
/// that is logged but not listed here, listed but never logged, or logged at another severity.
public enum LogCatalog {
    public static let messages: [LogMessage] = [
        // Start, stop, reconfiguration (kea-dhcp4's own messages).
        LogMessage("DHCP4_STARTING", .info, .kea,
                   "The server has read its command line and is starting; the version is printed."),
        LogMessage("DHCP4_STARTED", .info, .kea,
                   "The server has applied its configuration, opened its sockets and is ready to serve DHCPv4 packets."),
        LogMessage("DHCP4_ALREADY_RUNNING", .fatal, .kea,
                   "The PID file names a live process, most likely a second server started with the same configuration file; this one exits."),
        LogMessage("DHCP4_CONFIG_SYNTAX_WARNING", .warn, .kea,
                   "The configuration parsed, but with a syntax oddity Kea tolerates (for example a trailing comma)."),
        LogMessage("DHCP4_CONFIG_LOAD_FAIL", .error, .kea,
                   "The configuration file could not be read or applied; at startup the server then exits, on a reload it keeps the running configuration."),
        LogMessage("DHCP4_INIT_FAIL", .error, .kea,
                   "The server could not initialize (usually a configuration error, given in the message) and exits."),
        LogMessage("DHCP4_SHUTDOWN_REQUEST", .debug, .kea,
                   "A shutdown was requested by SIGTERM, SIGINT or the shutdown command; the server stops after the current loop turn."),
        LogMessage("DHCP4_SHUTDOWN", .info, .kea,
                   "The server has stopped normally."),
        LogMessage("DHCP4_DYNAMIC_RECONFIGURATION", .info, .kea,
                   "SIGHUP was received: the server re-reads its configuration file."),
        LogMessage("DHCP4_DYNAMIC_RECONFIGURATION_SUCCESS", .info, .kea,
                   "The re-read configuration was applied and is now in use."),
        LogMessage("DHCP4_DYNAMIC_RECONFIGURATION_FAIL", .fatal, .kea,
                   "The re-read configuration was refused (the reason is appended); the server keeps serving with its previous configuration."),

        // Sockets and packets.
        LogMessage("DHCPSRV_CFGMGR_ADD_IFACE", .info, .kea,
                   "The server listens for DHCP traffic on this interface; Kakapo adds the socket kind and the interface's addresses."),
        LogMessage("DHCP4_BUFFER_RECEIVE_FAIL", .error, .kea,
                   "Waiting for or reading a packet failed with a system error; the server carries on with its loop."),
        LogMessage("DHCP4_PACKET_SEND_FAIL", .error, .kea,
                   "A reply could not be sent (system error given); the client gets no answer to this message and will retransmit."),

        // Packets dropped without an answer.
        LogMessage("DHCP4_PACKET_DROP_0001", .debug, .kea,
                   "A received packet could not be parsed as DHCPv4 and was dropped; it is counted in pkt4-parse-failed."),
        LogMessage("DHCP4_PACKET_DROP_0003", .debug, .kea,
                   "The message names another server in its server identifier option, so this server ignores it."),
        LogMessage("DHCP4_PACKET_DROP_0005", .debug, .kea,
                   "Option 53 carries a message type that does not exist; the packet was dropped."),
        LogMessage("DHCP4_PACKET_DROP_0006", .debug, .kea,
                   "The message type is valid but not one a server answers (OFFER, ACK, NAK, lease query...); the packet was dropped."),
        LogMessage("DHCP4_PACKET_DROP_0007", .debug, .kea,
                   "The packet could not be processed for the reason given (for example a DECLINE without a requested address option) and was dropped."),
        LogMessage("DHCP4_PACKET_DROP_0009", .debug, .kea,
                   "The packet has no option 53, so it is BOOTP or malformed; it was dropped."),
        LogMessage("DHCP4_PACKET_DROP_0010", .debug, .kea,
                   "The packet was classified into the special class DROP (its test matched, or a host reservation put it there) and was dropped; it is counted in pkt4-receive-drop."),
        LogMessage("DHCP4_SUBNET_SELECTION_FAILED", .debug, .kea,
                   "No configured subnet matches the client (relay address, link selection, ciaddr or interface), so it gets no address."),
        LogMessage("DHCP4_NO_LEASE_INIT_REBOOT", .debug, .kea,
                   "A client in INIT-REBOOT asked for an address the server knows no lease of; a non-authoritative server stays silent."),
        LogMessage("DHCP4_PACKET_NAK_0003", .debug, .kea,
                   "No address could be found for the client (see the ALLOC_ENGINE_V4_ALLOC_FAIL_SUBNET before it), so it gets no answer."),

        // Leases granted, refused, released, declined.
        LogMessage("DHCP4_LEASE_ADVERT", .info, .kea,
                   "The server has chosen an address for the client and offers it in a DHCPOFFER; nothing is stored yet."),
        LogMessage("DHCP4_LEASE_ALLOC", .info, .kea,
                   "The server granted or renewed a lease in answer to a DHCPREQUEST; the DHCPACK carries it and the lease file has it."),
        LogMessage("DHCP4_LEASE_REUSE", .info, .kea,
                   "A renewal came while the lease was young enough for lease caching (cache-threshold, cache-max-age): the DHCPACK carries the remaining lifetime and nothing is written."),

        // Built-in hooks: libdhcp_bootp.so and libdhcp_flex_option.so.
        LogMessage("BOOTP_BOOTP_QUERY", .debug, .kea,
                   "A BOOTREQUEST without option 53 was recognized as BOOTP: it joins the class BOOTP and is handled as a DHCPREQUEST."),
        LogMessage("BOOTP_PACKET_PACK", .debug, .kea,
                   "The reply to a BOOTP client is encoded without DHCP-only options and padded to 300 octets."),
        LogMessage("FLEX_OPTION_PROCESS_ADD", .debug, .kea,
                   "A flexible-option entry added an option the reply did not have, with the value its expression gave."),
        LogMessage("FLEX_OPTION_PROCESS_SUPERSEDE", .debug, .kea,
                   "A flexible-option entry set an option of the reply to the value its expression gave, replacing any earlier value."),
        LogMessage("FLEX_OPTION_PROCESS_REMOVE", .debug, .kea,
                   "A flexible-option entry removed an option from the reply because its test was true."),
        LogMessage("FLEX_OPTION_PROCESS_CLIENT_CLASS", .debug, .kea,
                   "A flexible-option entry was skipped because the query is not in the entry's client-class."),
        LogMessage("FLEX_OPTION_PROCESS_ERROR", .error, .kea,
                   "A flexible-option entry could not be applied (its value does not fit the option's definition); the reply is sent without that change."),
        LogMessage("DHCP4_PACKET_NAK_0001", .error, .kea,
                   "An authoritative server found no subnet for a requesting client and answers DHCPNAK; usually a relay or subnet misconfiguration."),
        LogMessage("DHCP4_PACKET_NAK_0002", .debug, .kea,
                   "A client in INIT-REBOOT asked for an address other than the one it holds; it gets a DHCPNAK and starts over."),
        LogMessage("DHCP4_PACKET_NAK_0004", .debug, .kea,
                   "The address a client asked for cannot be granted (the reason is appended); it gets a DHCPNAK."),
        LogMessage("DHCP4_RELEASE", .info, .kea,
                   "The client released its lease; the address is free again."),
        LogMessage("DHCP4_RELEASE_FAIL_NO_LEASE", .debug, .kea,
                   "A client released an address that has no lease; nothing changes."),
        LogMessage("DHCP4_RELEASE_FAIL_WRONG_CLIENT", .debug, .kea,
                   "A client released a lease whose hardware address or client id is another client's; the lease is kept."),
        LogMessage("DHCP4_DECLINE_LEASE", .info, .kea,
                   "The client found its address in use by another device; the address is withheld for decline-probation-period seconds."),
        LogMessage("DHCP4_DECLINE_LEASE_NOT_FOUND", .warn, .kea,
                   "A client declined an address that has no lease; it is ignored."),
        LogMessage("DHCP4_DECLINE_LEASE_MISMATCH", .warn, .kea,
                   "A client declined a lease whose hardware address or client id is another client's (both are printed); the lease is kept."),
        LogMessage("DHCP4_INFORM_DIRECT_REPLY", .debug, .kea,
                   "The DHCPACK answering a DHCPINFORM goes straight to the client, not through a relay."),

        // Allocation engine.
        LogMessage("ALLOC_ENGINE_V4_ALLOC_ERROR", .error, .kea,
                   "The lease store could not make a lease change durable; it was rolled back and nothing that depended on it was sent."),
        LogMessage("KAKAPO_LEASE4_CONFLICT", .debug, .kakapo,
                   "Another server sharing the lease database changed the lease first; the proposal was rolled back and the exchange decided again."),
        LogMessage("ALLOC_ENGINE_V4_ALLOC_FAIL_SUBNET", .warn, .kea,
                   "No address in the client's subnet could be given to it: the pools are exhausted or what is free is reserved for others."),
        LogMessage("ALLOC_ENGINE_V4_LEASE_RECLAIM", .debug, .kea,
                   "An expired lease is reclaimed: its address returns to the pool."),
        LogMessage("ALLOC_ENGINE_V4_DECLINED_RECOVERED", .info, .kea,
                   "A declined address has served its probation period and returns to the pool."),
        LogMessage("ALLOC_ENGINE_V4_RECLAIMED_LEASES_DELETE_COMPLETE", .debug, .kea,
                   "Reclaimed leases older than hold-reclaimed-time were removed from the lease database."),

        // Memfile lease database.
        LogMessage("DHCPSRV_MEMFILE_LEASE_FILE_LOAD", .info, .kea,
                   "Leases are loaded from this lease file at startup; Kakapo adds how many rows were added, deleted or in error."),
        LogMessage("DHCPSRV_MEMFILE_LEASE_LOAD_ROW_ERROR", .error, .kea,
                   "A row of the lease file could not be read and was skipped; too many such rows (max-row-errors) stop the server."),
        LogMessage("DHCPSRV_MEMFILE_LFC_EXECUTE", .info, .kea,
                   "Lease file cleanup ran; Kakapo writes an in-process snapshot of its leases instead of spawning kea-lfc."),
        LogMessage("DHCPSRV_MEMFILE_LFC_SPAWN_FAIL", .error, .kea,
                   "Lease file cleanup could not run (reason given); the files stay as they were and the next interval tries again."),

        // Lease file cleanup (kakapo-lfc, Kea's kea-lfc messages).
        LogMessage("LFC_START", .info, .kea,
                   "The lease file cleanup process starts."),
        LogMessage("LFC_RUNNING", .fatal, .kea,
                   "The PID file names a live process: another cleanup is still running, so this one exits without touching any file."),
        LogMessage("LFC_FAIL_PID_CREATE", .fatal, .kea,
                   "The PID file could not be written; the cleanup exits without touching any lease file."),
        LogMessage("LFC_PROCESSING", .info, .kea,
                   "No finish file was found: the previous and copy files are about to be merged into the output file."),
        LogMessage("LFC_READ_STATS", .info, .kea,
                   "How many leases were read from the previous and copy files, in how many reads, and how many rows were skipped as invalid."),
        LogMessage("LFC_WRITE_STATS", .info, .kea,
                   "How many leases were written to the output file, in how many writes, and how many writes failed."),
        LogMessage("LFC_FAIL_PROCESS", .fatal, .kea,
                   "The merge failed (reason given: an unreadable file, a bad header, too many invalid rows, an output that cannot be written); no file is rotated."),
        LogMessage("LFC_ROTATING", .info, .kea,
                   "The finish file exists: the previous and copy files are removed and the finish file becomes the previous file."),
        LogMessage("LFC_FAIL_ROTATE", .fatal, .kea,
                   "A step of the rotation failed (reason given); the files left are still loaded correctly by the server and the next cleanup finishes the rotation."),
        LogMessage("LFC_FAIL_PID_DEL", .fatal, .kea,
                   "The PID file could not be removed at the end of the cleanup; the next cleanup checks whether the process it names is alive."),
        LogMessage("LFC_TERMINATE", .info, .kea,
                   "The lease file cleanup process has finished (successfully or not: see the previous lines)."),

        // Control channel.
        LogMessage("COMMAND_SOCKET_WRITE_FAIL", .error, .kea,
                   "An answer could not be written to a control-socket client (here: larger than a connection may queue); the connection was closed."),
        LogMessage("COMMAND_RECEIVED", .info, .kea,
                   "A command arrived on the control socket; its outcome is in the response."),
        LogMessage("COMMAND_PROCESS_ERROR1", .warn, .kea,
                   "A control-socket request could not be parsed (for example invalid JSON) and was answered with an error."),

        // kea-dhcp6's packet processing (Engine6Event).
        LogMessage("DHCP6_PACKET_DROP_PARSE_FAIL", .debug, .kea,
                   "A datagram could not be parsed as a DHCPv6 message and was dropped."),
        LogMessage("DHCP6_PACKET_DROP_SERVERID_MISMATCH", .debug, .kea,
                   "A message names another server in its Server Identifier option; it is for that server and was dropped."),
        LogMessage("DHCP6_REQUIRED_OPTIONS_CHECK_FAIL", .debug, .kea,
                   "A message lacks a mandatory option (client-id, server-id) or carries a forbidden one; it was dropped."),
        LogMessage("DHCP6_PACKET_DROP_UNICAST", .debug, .kea,
                   "A Solicit, Confirm, Rebind or Information-Request was sent unicast to the server rather than multicast; it was dropped."),
        LogMessage("DHCP6_UNKNOWN_MSG_RECEIVED", .debug, .kea,
                   "A message of a type the server does not answer arrived; it was dropped."),
        LogMessage("DHCP6_PACKET_PROCESS_FAIL", .debug, .kea,
                   "Processing of a message failed (here: the lease store refused its writes) and no reply was sent."),
        LogMessage("DHCP6_PACKET_DROP_DROP_CLASS", .debug, .kea,
                   "The message was classified into the special class DROP (its test matched, or a host reservation put it there) and was dropped; it is counted in pkt6-receive-drop."),
        LogMessage("DHCP6_SUBNET_SELECTION_FAILED", .debug, .kea,
                   "No subnet matches the client's link; it gets options only, no addresses or prefixes."),
        LogMessage("DHCP6_RAPID_COMMIT", .debug, .kea,
                   "A Solicit carried Rapid Commit and the subnet allows it: the server commits the leases and replies at once."),
        LogMessage("DHCP6_LEASE_ADVERT", .info, .kea,
                   "An address will be offered in an Advertise; nothing is recorded until the client requests it."),
        LogMessage("DHCP6_PD_LEASE_ADVERT", .info, .kea,
                   "A prefix will be offered in an Advertise; nothing is recorded until the client requests it."),
        LogMessage("DHCP6_LEASE_ALLOC", .info, .kea,
                   "An address lease was granted to the client."),
        LogMessage("DHCP6_PD_LEASE_ALLOC", .info, .kea,
                   "A prefix lease was granted to the client."),
        LogMessage("DHCP6_LEASE_RENEW", .info, .kea,
                   "The client's address lease was extended."),
        LogMessage("DHCP6_PD_LEASE_RENEW", .info, .kea,
                   "The client's prefix lease was extended."),
        LogMessage("DHCP6_LEASE_ADVERT_FAIL", .info, .kea,
                   "No address could be offered for an IA_NA of a Solicit (pools exhausted, or no subnet)."),
        LogMessage("DHCP6_LEASE_ALLOC_FAIL", .info, .kea,
                   "No address could be granted for an IA_NA (pools exhausted, or no subnet); the IA carries NoAddrsAvail."),
        LogMessage("DHCP6_PD_LEASE_ADVERT_FAIL", .info, .kea,
                   "No prefix could be offered for an IA_PD of a Solicit."),
        LogMessage("DHCP6_PD_LEASE_ALLOC_FAIL", .info, .kea,
                   "No prefix could be granted for an IA_PD; the IA carries NoPrefixAvail."),
        LogMessage("DHCP6_RELEASE_NA", .info, .kea,
                   "The client released an address; its lease was removed."),
        LogMessage("DHCP6_RELEASE_PD", .info, .kea,
                   "The client released a delegated prefix; its lease was removed."),
        LogMessage("DHCP6_RELEASE_NA_FAIL_WRONG_DUID", .warn, .kea,
                   "A client tried to release an address leased to another client; the lease stays."),
        LogMessage("DHCP6_RELEASE_NA_FAIL_WRONG_IAID", .warn, .kea,
                   "A client tried to release its address from another IA than the one it was leased in; the lease stays."),
        LogMessage("DHCP6_DECLINE_LEASE", .info, .kea,
                   "A client reported its address in use by another device; the lease is declined for decline-probation-period."),
        LogMessage("DHCP6_DECLINE_FAIL_NO_LEASE", .info, .kea,
                   "A client declined an address the server has no lease for; the IA carries NoBinding."),
        LogMessage("DHCP6_DECLINE_FAIL_DUID_MISMATCH", .info, .kea,
                   "A client declined an address leased to another client; the IA carries NoBinding."),
        LogMessage("DHCP6_DECLINE_FAIL_IAID_MISMATCH", .info, .kea,
                   "A client declined its address from the wrong IA; the IA carries NoBinding."),
        LogMessage("ALLOC_ENGINE_V6_LEASE_RECLAIM", .debug, .kea,
                   "An expired DHCPv6 lease is reclaimed: its address or prefix returns to the pool."),
        LogMessage("ALLOC_ENGINE_V6_DECLINED_RECOVERED", .info, .kea,
                   "A declined IPv6 address has served its probation period and returns to the pool."),
        LogMessage("ALLOC_ENGINE_V6_ALLOC_ERROR", .error, .kea,
                   "The lease store could not make a DHCPv6 lease change durable; it was rolled back and nothing that depended on it was sent."),
        LogMessage("KAKAPO_LEASE6_CONFLICT", .debug, .kakapo,
                   "Another server sharing the lease database changed a DHCPv6 lease first; the proposal was rolled back and the client will retry."),

        // Kakapo's own.
        LogMessage("DHCP4_PID_FILE_ERROR", .warn, .kakapo,
                   "The PID file could not be written; the server runs anyway, but tools that find it through the PID file will not."),
        LogMessage("DHCP4_CONFIG_UNSUPPORTED", .warn, .kakapo,
                   "The configuration holds something Kakapo accepts but does not act on yet (or a lease-database change that needs a restart)."),
        LogMessage("DHCP4_CLOCK_STEPPED_BACK", .warn, .kakapo,
                   "The wall clock went backwards; lease expiry follows the wall clock, timers follow the monotonic clock and are unaffected."),
        LogMessage("DHCPSRV_MEMFILE_WRITE_FAIL", .error, .kakapo,
                   "Lease changes could not be appended to the lease file, so the replies that announce them were not sent."),

        // kakapo-dhcp6: start, stop, reconfiguration (kea-dhcp6's own messages).
        LogMessage("DHCP6_STARTING", .info, .kea,
                   "The server has read its command line and is starting; the version is printed."),
        LogMessage("DHCP6_STARTED", .info, .kea,
                   "The server has applied its configuration, opened its sockets and is ready to serve DHCPv6 packets."),
        LogMessage("DHCP6_ALREADY_RUNNING", .fatal, .kea,
                   "The PID file names a live process, most likely a second server started with the same configuration file; this one exits."),
        LogMessage("DHCP6_CONFIG_SYNTAX_WARNING", .warn, .kea,
                   "The configuration parsed, but with a syntax oddity Kea tolerates (for example a trailing comma)."),
        LogMessage("DHCP6_CONFIG_LOAD_FAIL", .error, .kea,
                   "The configuration file could not be read or applied; at startup the server then exits, on a reload it keeps the running configuration."),
        LogMessage("DHCP6_INIT_FAIL", .error, .kea,
                   "The server could not initialize (usually a configuration error, given in the message) and exits."),
        LogMessage("DHCP6_SHUTDOWN_REQUEST", .debug, .kea,
                   "A shutdown was requested by SIGTERM, SIGINT or the shutdown command; the server stops after the current loop turn."),
        LogMessage("DHCP6_SHUTDOWN", .info, .kea,
                   "The server has stopped normally."),
        LogMessage("DHCP6_DYNAMIC_RECONFIGURATION", .info, .kea,
                   "SIGHUP or config-reload: the server re-reads its configuration file."),
        LogMessage("DHCP6_DYNAMIC_RECONFIGURATION_SUCCESS", .info, .kea,
                   "The re-read configuration was applied and is now in use."),
        LogMessage("DHCP6_DYNAMIC_RECONFIGURATION_FAIL", .fatal, .kea,
                   "The re-read configuration was refused (the reason is appended); the server keeps serving with its previous configuration."),
        LogMessage("DHCP6_BUFFER_RECEIVE_FAIL", .error, .kea,
                   "Waiting for or reading a packet failed with a system error; the server carries on with its loop."),
        LogMessage("DHCP6_PACKET_SEND_FAIL", .error, .kea,
                   "A reply could not be sent (system error given); the client gets no answer to this message and will retransmit."),
        LogMessage("DHCP6_PID_FILE_ERROR", .warn, .kakapo,
                   "The PID file could not be written; the server runs anyway, but tools that find it through the PID file will not."),
        LogMessage("DHCP6_CONFIG_UNSUPPORTED", .warn, .kakapo,
                   "The configuration holds something Kakapo accepts but does not act on yet (or a lease-database or server-id change that needs a restart)."),
        LogMessage("DHCP6_CLOCK_STEPPED_BACK", .warn, .kakapo,
                   "The wall clock went backwards; lease expiry follows the wall clock, timers follow the monotonic clock and are unaffected."),
        LogMessage("DHCP6_SERVERID", .info, .kakapo,
                   "The server's DUID (option 2 of every reply), read from its server-id file or generated per server-id and written there."),
        LogMessage("DHCP6_SERVERID_WRITE_FAIL", .warn, .kakapo,
                   "The server-id file could not be written; the generated DUID is used but a restart will generate another."),
        LogMessage("DHCP6_MULTICAST_JOIN_FAIL", .error, .kakapo,
                   "Joining ff02::1:2 on an interface failed; clients on that link that multicast their messages get no answer."),
    ]

    static let byID: [String: LogMessage] =
        Dictionary(messages.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

    /// The catalog entry for a message ID, nil for an ID Kakapo does not log.
    public static func message(_ id: String) -> LogMessage? { byID[id] }
}
