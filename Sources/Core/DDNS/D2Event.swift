/// What the DHCP-DDNS engine decided, as the shell logs it: Kea's DHCP_DDNS_* message IDs,
/// severities and wording (Kea's d2_messages.mes and dhcp_ddns_messages.mes). The request ID
/// is the DHCID in hex, as Kea prints it.
public enum D2Event: Sendable, Equatable {
    case queued(requestID: String)
    case invalidNCR(reason: String)
    case queueFull(max: Int)
    case queueResuming(size: Int, max: Int)
    case atMaxTransactions(queued: Int, max: Int)
    case noEligibleJobs(queued: Int, transactions: Int)
    case forwardIgnored(requestID: String, request: String)
    case reverseIgnored(requestID: String, request: String)
    case requestDropped(requestID: String, request: String)
    case noMatch(forward: Bool, requestID: String, name: String)
    case startingTransaction(requestID: String)
    case updateSent(requestID: String, step: D2Transaction.Step, server: D2DNSServer)
    case responseReceived(requestID: String, server: D2DNSServer, rcode: DNSRcode)
    case invalidResponse(reason: String)
    case rejected(requestID: String, step: D2Transaction.Step, server: D2DNSServer, fqdn: String, rcode: DNSRcode)
    case timedOut(requestID: String, step: D2Transaction.Step, server: D2DNSServer, fqdn: String)
    case ioError(requestID: String, step: D2Transaction.Step, server: D2DNSServer, fqdn: String)
    case corrupt(requestID: String, step: D2Transaction.Step, server: D2DNSServer, fqdn: String)
    case succeeded(add: Bool, requestID: String, request: String)
    case failed(add: Bool, requestID: String, outcome: String)

    /// Kea's logger under kea-dhcp-ddns for the event: requests from the DHCP servers go to
    /// "dhcp-to-d2", DNS traffic to "d2-to-dns", the rest to "dhcpddns".
    public var component: String {
        switch self {
        case .invalidNCR: "libdhcp-ddns"
        case .queued, .queueFull, .queueResuming, .forwardIgnored, .reverseIgnored, .requestDropped, .noMatch:
            "dhcp-to-d2"
        case .startingTransaction, .updateSent, .responseReceived, .invalidResponse, .rejected, .timedOut, .ioError,
             .corrupt, .succeeded, .failed: "d2-to-dns"
        case .atMaxTransactions, .noEligibleJobs: "dhcpddns"
        }
    }
}

extension NameChangeRequest {
    /// The request as Kea's messages print it (`NameChangeRequest::toText`), one field a line.
    public var keaText: String {
        func yesNo(_ b: Bool) -> String { b ? "yes" : "no" }
        return "Type: \(changeType.rawValue) (\(changeType == .add ? "CHG_ADD" : "CHG_REMOVE"))\n"
            + "Forward Change: \(yesNo(forward))\nReverse Change: \(yesNo(reverse))\n"
            + "FQDN: [\(fqdn)]\nIP Address: [\(address)]\nDHCID: [\(Self.hex(dhcid))]\n"
            + "Lease Expires On: \(leaseExpiresOn.compactUTC)\nLease Length: \(leaseLengthSeconds)\n"
            + "Conflict Resolution: \(yesNo(useConflictResolution))\n"
    }
}

extension D2DNSServer: CustomStringConvertible {
    /// As Kea's DnsServerInfo prints a server.
    public var description: String { "\(address) port:\(port)" }
}

extension D2Transaction.Step {
    /// The update's purpose, as Kea's messages phrase it.
    var rejectedPhrase: String {
        switch self {
        case .addingForward: "add the address mapping"
        case .replacingForward: "replace the address mapping"
        case .removingForwardAddresses: "remove the forward address mapping"
        case .removingForwardRecords: "remove forward RR entries"
        case .replacingReverse: "replace the reverse mapping"
        case .removingReverse: "remove the reverse mapping"
        }
    }

    /// What Kea's DHCP_DDNS_UPDATE_REQUEST_SENT calls the update.
    var sentPhrase: String {
        switch self {
        case .addingForward: "Forward Add"
        case .replacingForward: "Forward Replace"
        case .removingForwardAddresses: "Forward A/AAAA Remove"
        case .removingForwardRecords: "Forward RR Remove"
        case .replacingReverse: "Reverse Replace"
        case .removingReverse: "Reverse Remove"
        }
    }

    var exchangePhrase: String {
        switch self {
        case .addingForward: "forward mapping add"
        case .replacingForward: "forward mapping replace"
        case .removingForwardAddresses: "forward mapping address removal"
        case .removingForwardRecords: "forward RR removal"
        case .replacingReverse: "reverse mapping replacement"
        case .removingReverse: "reverse mapping remove"
        }
    }

    var corruptPhrase: String {
        switch self {
        case .addingForward: "adding forward address mapping"
        case .replacingForward: "replacing forward address mapping"
        case .removingForwardAddresses: "removing forward address mapping"
        case .removingForwardRecords: "removing forward RRs"
        case .replacingReverse: "replacing reverse address mapping"
        case .removingReverse: "removing reverse address mapping"
        }
    }
}

extension D2Event: LoggableEvent {
    public var severity: Severity { logLine.severity }

    public var logLine: (id: String, severity: Severity, text: String) {
        switch self {
        case .queued(let r):
            return ("DHCP_DDNS_QUEUE_MGR_QUEUE_RECEIVE", .debug, "Request ID \(r): received and queued a request.")
        case .invalidNCR(let reason):
            return ("DHCP_DDNS_INVALID_NCR", .error, "application received an invalid DNS update request: \(reason)")
        case .queueFull(let max):
            return ("DHCP_DDNS_QUEUE_MGR_QUEUE_FULL", .error, "application request queue has reached maximum number of entries \(max)")
        case .queueResuming(let size, let max):
            return ("DHCP_DDNS_QUEUE_MGR_RESUMING", .info,
                    "application is resuming listening for requests now that the request queue size has reached \(size) of a maximum \(max) allowed")
        case .atMaxTransactions(let queued, let max):
            return ("DHCP_DDNS_AT_MAX_TRANSACTIONS", .debug,
                    "application has \(queued) queued requests but has reached maximum number of \(max) concurrent transactions")
        case .noEligibleJobs(let queued, let transactions):
            return ("DHCP_DDNS_NO_ELIGIBLE_JOBS", .debug,
                    "although there are queued requests, there are pending transactions for each, Queue count: \(queued)  Transaction count: \(transactions)")
        case .forwardIgnored(let r, let request):
            return ("DHCP_DDNS_FWD_REQUEST_IGNORED", .debug,
                    "Request ID \(r): Forward updates are disabled, the forward portion of request will be ignored: \(request)")
        case .reverseIgnored(let r, let request):
            return ("DHCP_DDNS_REV_REQUEST_IGNORED", .debug,
                    "Request ID \(r): Reverse updates are disabled, the reverse portion of request will be ignored: \(request)")
        case .requestDropped(let r, let request):
            return ("DHCP_DDNS_REQUEST_DROPPED", .debug,
                    "Request ID \(r): Request contains no enabled update requests and will be dropped: \(request)")
        case .noMatch(let forward, let r, let name):
            let text = "Request ID \(r): the configured list of \(forward ? "forward" : "reverse") DDNS domains does not contain a match for: \(name)  The request has been discarded."
            return forward ? ("DHCP_DDNS_NO_FWD_MATCH_ERROR", .error, text) : ("DHCP_DDNS_NO_REV_MATCH_ERROR", .error, text)
        case .startingTransaction(let r):
            return ("DHCP_DDNS_STARTING_TRANSACTION", .debug, "Request ID \(r):")
        case .updateSent(let r, let step, let server):
            return ("DHCP_DDNS_UPDATE_REQUEST_SENT", .debug, "Request ID \(r): \(step.sentPhrase) to server: \(server)")
        case .responseReceived(let r, let server, let rcode):
            return ("DHCP_DDNS_UPDATE_RESPONSE_RECEIVED", .debug, "Request ID \(r): to server: \(server) status: SUCCESS, rcode: \(rcode)")
        case .invalidResponse(let reason):
            return ("DHCP_DDNS_INVALID_RESPONSE", .debug, "received response to DNS Update message is malformed: \(reason)")
        case .rejected(let r, let step, let server, let fqdn, let rcode):
            let text = "DNS Request ID \(r): Server, \(server), rejected a DNS update request to \(step.rejectedPhrase) for FQDN, \(fqdn), with an RCODE: \(rcode.rawValue)"
            switch step {
            case .addingForward: return ("DHCP_DDNS_FORWARD_ADD_REJECTED", .error, text)
            case .replacingForward: return ("DHCP_DDNS_FORWARD_REPLACE_REJECTED", .error, text)
            case .removingForwardAddresses: return ("DHCP_DDNS_FORWARD_REMOVE_ADDRS_REJECTED", .error, text)
            case .removingForwardRecords: return ("DHCP_DDNS_FORWARD_REMOVE_RRS_REJECTED", .error, text)
            case .replacingReverse: return ("DHCP_DDNS_REVERSE_REPLACE_REJECTED", .error, text)
            case .removingReverse: return ("DHCP_DDNS_REVERSE_REMOVE_REJECTED", .error, text)
            }
        case .timedOut(let r, let step, let server, let fqdn):
            let text = "DHCP_DDNS Request ID \(r): timed out waiting for a response to \(step.exchangePhrase) for FQDN \(fqdn) to DNS server \(server)"
            switch step {
            case .addingForward: return ("DHCP_DDNS_FORWARD_ADD_TIMEOUT", .error, text)
            case .replacingForward: return ("DHCP_DDNS_FORWARD_REPLACE_TIMEOUT", .error, text)
            case .removingForwardAddresses: return ("DHCP_DDNS_FORWARD_REMOVE_ADDRS_TIMEOUT", .error, text)
            case .removingForwardRecords: return ("DHCP_DDNS_FORWARD_REMOVE_RRS_TIMEOUT", .error, text)
            case .replacingReverse: return ("DHCP_DDNS_REVERSE_REPLACE_TIMEOUT", .error, text)
            case .removingReverse: return ("DHCP_DDNS_REVERSE_REMOVE_TIMEOUT", .error, text)
            }
        case .ioError(let r, let step, let server, let fqdn):
            let text = "DHCP_DDNS Request ID \(r): encountered an IO error sending a \(step.exchangePhrase) for FQDN \(fqdn) to DNS server \(server)"
            switch step {
            case .addingForward: return ("DHCP_DDNS_FORWARD_ADD_IO_ERROR", .error, text)
            case .replacingForward: return ("DHCP_DDNS_FORWARD_REPLACE_IO_ERROR", .error, text)
            case .removingForwardAddresses: return ("DHCP_DDNS_FORWARD_REMOVE_ADDRS_IO_ERROR", .error, text)
            case .removingForwardRecords: return ("DHCP_DDNS_FORWARD_REMOVE_RRS_IO_ERROR", .error, text)
            case .replacingReverse: return ("DHCP_DDNS_REVERSE_REPLACE_IO_ERROR", .error, text)
            case .removingReverse: return ("DHCP_DDNS_REVERSE_REMOVE_IO_ERROR", .error, text)
            }
        case .corrupt(let r, let step, let server, let fqdn):
            let text = "DHCP_DDNS Request ID \(r): received a corrupt response from the DNS server, \(server), while \(step.corruptPhrase) for FQDN, \(fqdn)"
            switch step {
            case .addingForward: return ("DHCP_DDNS_FORWARD_ADD_RESP_CORRUPT", .error, text)
            case .replacingForward: return ("DHCP_DDNS_FORWARD_REPLACE_RESP_CORRUPT", .error, text)
            case .removingForwardAddresses: return ("DHCP_DDNS_FORWARD_REMOVE_ADDRS_RESP_CORRUPT", .error, text)
            case .removingForwardRecords: return ("DHCP_DDNS_FORWARD_REMOVE_RRS_RESP_CORRUPT", .error, text)
            case .replacingReverse: return ("DHCP_DDNS_REVERSE_REPLACE_RESP_CORRUPT", .error, text)
            case .removingReverse: return ("DHCP_DDNS_REVERSE_REMOVE_RESP_CORRUPT", .error, text)
            }
        case .succeeded(let add, let r, let request):
            return add
                ? ("DHCP_DDNS_ADD_SUCCEEDED", .info, "DHCP_DDNS Request ID \(r): successfully added the DNS mapping addition for this request: \(request)")
                : ("DHCP_DDNS_REMOVE_SUCCEEDED", .info, "DHCP_DDNS Request ID \(r): successfully removed the DNS mapping addition for this request: \(request)")
        case .failed(let add, let r, let outcome):
            return add
                ? ("DHCP_DDNS_ADD_FAILED", .error, "DHCP_DDNS Request ID \(r): Transaction outcome \(outcome)")
                : ("DHCP_DDNS_REMOVE_FAILED", .error, "DHCP_DDNS Request ID \(r): Transaction outcome: \(outcome)")
        }
    }
}
