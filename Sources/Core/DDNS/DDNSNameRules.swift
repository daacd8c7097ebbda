/// Kea 2.4's client-name rules (D2ClientMgr's analyzeFqdn, qualifyName, generateFqdn, the
/// hostname sanitizer, calculateDdnsTtl and queueNCR's request building), for one subnet's
/// `DDNSParameters`. Protocol neutral: DHCPv4 (options 81 and 12) and DHCPv6 (option 39) use
/// the same rules; only the option codecs differ.
public struct DDNSNameRules: Sendable {
    public var params: DDNSParameters
    public init(_ params: DDNSParameters) { self.params = params }

    /// The server's S and N flags for the client's (Kea's analyzeFqdn; RFC 4702 §3.3–3.4):
    /// - client N=0 S=0 (the client updates A itself): S when override-client-update, N=0;
    ///   with updates off S=0, N=1.
    /// - client S=1: S when updates are on, N = !S.
    /// - client N=1: S when updates are on and override-no-update, N = !S.
    /// O is set when the server's S differs from the client's. Nil for N=1 with S=1.
    public func serverFlags(clientS: Bool, clientN: Bool) -> (s: Bool, n: Bool, o: Bool)? {
        let on = params.updatesEnabled
        let s: Bool, n: Bool
        switch (clientN, clientS) {
        case (false, false):
            s = on && params.overrideClientUpdate
            n = !on
        case (false, true):
            s = on
            n = !s
        case (true, false):
            s = on && params.overrideNoUpdate
            n = !s
        case (true, true):
            return nil
        }
        return (s, n, s != clientS)
    }

    /// Kea's getUpdateDirections: forward when the server's S, reverse unless its N.
    public static func directions(s: Bool, n: Bool) -> (forward: Bool, reverse: Bool) { (s, !n) }

    /// Kea's qualifyName: the qualifying suffix after a partial name (a dot between them),
    /// then the trailing dot added or taken off.
    public func qualify(_ partial: String, trailingDot: Bool) -> String {
        var name = partial
        let suffix = params.qualifyingSuffix
        if !suffix.isEmpty {
            if !name.isEmpty, !name.hasSuffix(".") { name += "." }
            name += suffix
        }
        if trailingDot {
            if !name.isEmpty, !name.hasSuffix(".") { name += "." }
        } else if name.hasSuffix(".") {
            name.removeLast()
        }
        return name
    }

    /// Kea's generateFqdn: generated-prefix, '-', the address with its '.' (or ':') as '-',
    /// qualified.
    public func generated(address: String, trailingDot: Bool) -> String {
        let body = String(address.map { $0 == "." || $0 == ":" ? "-" : $0 })
        return qualify(params.generatedPrefix + "-" + body, trailingDot: trailingDot)
    }

    /// Kea's StringSanitizer over the whole text: each character of hostname-char-set becomes
    /// hostname-char-replacement. An empty char-set turns sanitizing off. A char-set that is
    /// not one bracket expression is not understood here: the text is left as it is.
    public func sanitize(_ text: String) -> String {
        guard !params.hostnameCharSet.isEmpty, let set = CharacterSetPattern(params.hostnameCharSet) else { return text }
        var out = ""
        for ch in text { if set.matches(ch) { out += params.hostnameCharReplacement } else { out.append(ch) } }
        return out
    }

    /// The sanitizer label by label (Kea's adjustDomainName for option 81/39), so that a
    /// replacement never joins or splits labels.
    public func sanitizeLabels(_ name: String) -> String {
        name.split(separator: ".", omittingEmptySubsequences: false).map { sanitize(String($0)) }.joined(separator: ".")
    }

    /// Kea 2.4's calculateDdnsTtl: lifetime × ddns-ttl-percent when that is set (at least 1),
    /// else RFC 4702 §5: a third of the lifetime, at least 600 s.
    public func ttl(lifetime: UInt32) -> UInt32 {
        if let p = params.ttlPercent, p > 0 {
            let v = (Double(lifetime) * p).rounded(.towardZero)
            let t = v >= Double(UInt32.max) ? UInt32.max : UInt32(v)
            return t > 0 ? t : 1
        }
        return lifetime < 1800 ? 600 : lifetime / 3
    }

    /// Kea's queueNCR for a lease: nil when the lease has no name, neither direction, DDNS is
    /// not enabled, or the name is not a valid DNS name. The DHCID (RFC 4701) is built with
    /// `sha256`; the expiry is the lease's cltt plus the TTL, as Kea writes it.
    public func nameChange(_ type: NameChangeRequest.ChangeType, hostname: String, forward: Bool, reverse: Bool,
                           address: String, identifierType: DHCID.IdentifierType, identifier: [UInt8],
                           cltt: WallTime, lifetime: UInt32, sha256: ([UInt8]) -> [UInt8]) -> NameChangeRequest? {
        guard params.enabled, !hostname.isEmpty, forward || reverse, let name = try? DNSName(hostname) else { return nil }
        let ttl = ttl(lifetime: lifetime)
        // Kea's request carries the name fully qualified, in lower case.
        let fqdn = name.lowercased.description
        return NameChangeRequest(changeType: type, forward: forward, reverse: reverse, fqdn: fqdn, address: address,
                                 dhcid: DHCID.rdata(type: identifierType, identifier: identifier, fqdn: name, sha256: sha256),
                                 leaseExpiresOn: cltt + Seconds(Int64(ttl)), leaseLengthSeconds: ttl,
                                 useConflictResolution: params.useConflictResolution)
    }

    /// Kea's label count of a name (dns::Name's, the root label included): 0 for an empty
    /// text, nil when the text is no valid name.
    public static func labelCount(_ text: String) -> Int? {
        if text.isEmpty { return 0 }
        guard let name = try? DNSName(text) else { return nil }
        return name.labels.count + 1
    }
}
