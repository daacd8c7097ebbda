/// The Client FQDN option (39, RFC 4704) of Solicit, Request, Renew and Rebind replies, as
/// Kea's processClientFqdn with its D2ClientMgr helpers (adjustFqdnFlags, adjustDomainName,
/// qualifyName, generateFqdn). Name change requests are not sent (no DHCP-DDNS client yet);
/// the flags say what a server with the configured `dhcp-ddns` would do.
struct ClientFQDN6: Equatable {
    static let flagS: UInt8 = 0x01
    static let flagO: UInt8 = 0x02
    static let flagN: UInt8 = 0x04

    var flags: UInt8
    /// Dotted labels, without the root's trailing dot.
    var name: String
    /// A fully qualified name (ends with the root label on the wire).
    var full: Bool

    /// Reads option 39's data: the flags octet and a DNS-encoded name, partial when the root
    /// label is missing. Nil when malformed or when N and S are both set (RFC 4704 §4.1);
    /// the reserved flag bits are ignored, as Kea does.
    init?(data: [UInt8]) {
        guard let f = data.first, f & (Self.flagN | Self.flagS) != (Self.flagN | Self.flagS) else { return nil }
        var labels: [String] = []
        var i = 1
        var full = false
        while i < data.count {
            let n = Int(data[i])
            if n == 0 {
                // The root label ends the name (what follows is not looked at, as Kea's
                // dns::Name reading the buffer).
                full = true
                break
            }
            guard n < 64, i + 1 + n <= data.count else { return nil }
            labels.append(String(decoding: data[(i + 1)..<(i + 1 + n)], as: UTF8.self))
            i += 1 + n
        }
        self.init(flags: f, name: labels.joined(separator: "."), full: full)
    }

    init(flags: UInt8, name: String, full: Bool) {
        self.flags = flags
        self.name = name
        self.full = full
    }

    var data: [UInt8] {
        var out: [UInt8] = [flags]
        for label in name.split(separator: ".", omittingEmptySubsequences: true) {
            let bytes = Array(label.utf8.prefix(63))
            out.append(UInt8(bytes.count))
            out += bytes
        }
        if full { out.append(0) }
        return out
    }
}

extension Dhcp6Engine {
    /// Whether name updates would be made: `dhcp-ddns` enable-updates and ddns-send-updates.
    var ddnsUpdatesEnabled: Bool { config.ddns.enableUpdates && config.ddns.sendUpdates }

    /// The server's S, N and O flags for the client's (Kea's analyzeFqdn, adjustFqdnFlags).
    func fqdnFlags(client: UInt8) -> UInt8 {
        let d = config.ddns
        let clientS = client & ClientFQDN6.flagS != 0
        let clientN = client & ClientFQDN6.flagN != 0
        var serverS = false
        if ddnsUpdatesEnabled {
            switch (clientN, clientS) {
            case (false, false): serverS = d.overrideClientUpdate
            case (false, true): serverS = true
            default: serverS = d.overrideNoUpdate
            }
        }
        // N: with updates off always; with them on, when the server declines the update the
        // client asked it to make or override (not when the client does its own).
        let serverN = !ddnsUpdatesEnabled || (!serverS && (clientS || clientN))
        var f: UInt8 = serverS ? ClientFQDN6.flagS : 0
        if serverN { f |= ClientFQDN6.flagN }
        if clientS != serverS { f |= ClientFQDN6.flagO }
        return f
    }

    /// Kea's qualifyName: the qualifying suffix appended to a partial name, then the root dot.
    func qualify(_ partial: String) -> String {
        var name = partial
        let suffix = config.ddns.qualifyingSuffix
        if !suffix.isEmpty {
            if !name.isEmpty, !name.hasSuffix(".") { name += "." }
            name += suffix
        }
        if !name.hasSuffix(".") { name += "." }
        return name
    }

    /// The reply's Client FQDN option for the client's, before any lease is given; nil when
    /// the client sent none and none is to be made up (ddns-replace-client-name).
    func clientFQDN(_ q: Query6) -> ClientFQDN6? {
        let d = config.ddns
        let sent = q.client.options[39].flatMap(ClientFQDN6.init(data:))
        let request: ClientFQDN6
        if let sent {
            request = sent
        } else if q.client.options[39] == nil, ddnsUpdatesEnabled,
                  d.replaceClientName == "always" || d.replaceClientName == "when-not-present" {
            request = ClientFQDN6(flags: ClientFQDN6.flagS, name: "", full: false)
        } else {
            return nil
        }
        var reply = ClientFQDN6(flags: fqdnFlags(client: request.flags), name: "", full: false)
        if let hostname = q.host?.hostname, !hostname.isEmpty {
            reply.name = qualify(hostname)
            reply.full = true
        } else if d.replaceClientName == "always" || d.replaceClientName == "when-present" || request.name.isEmpty {
            reply.name = ""
            reply.full = false
        } else {
            let name = sanitizeLabels(request.name)
            reply.name = request.full ? name + "." : qualify(name)
            reply.full = true
        }
        if reply.name.hasSuffix(".") { reply.name.removeLast() }
        return reply
    }

    /// After the leases: an empty name is made from the first address of the first IA_NA
    /// (Kea's generateFqdn: generated-prefix, the address with '-' for ':', qualified); not
    /// in an Advertise, which keeps the empty name as Kea 2.2 sends it.
    func completeFQDN(_ fqdn: ClientFQDN6, reply r: DHCPv6ClientMessage) -> ClientFQDN6 {
        guard fqdn.name.isEmpty, r.messageType != .advertise, let ia = try? r.options.iaNAs().first,
              let a = try? ia.addresses().first else { return fqdn }
        var out = fqdn
        out.name = qualify(config.ddns.generatedPrefix + "-" + "\(a.address)".replacingColons())
        if out.name.hasSuffix(".") { out.name.removeLast() }
        out.full = true
        return out
    }

    /// Kea's hostname sanitizer (hostname-char-set, hostname-char-replacement) on each label.
    func sanitizeLabels(_ name: String) -> String {
        guard let set = CharacterSetPattern(config.ddns.hostnameCharSet) else { return name }
        let replacement = config.ddns.hostnameCharReplacement
        return name.split(separator: ".", omittingEmptySubsequences: false).map { label in
            var out = ""
            for ch in label { if set.matches(ch) { out += replacement } else { out.append(ch) } }
            return out
        }.joined(separator: ".")
    }
}

extension String {
    fileprivate func replacingColons() -> String {
        String(map { $0 == ":" ? "-" : $0 })
    }
}

/// A one-bracket regular expression such as Kea's default hostname-char-set `[^A-Za-z0-9.-]`:
/// a set (or negated set) of characters and ranges. Other patterns are not understood (nil),
/// and names are then left as the client sent them.
struct CharacterSetPattern {
    var negated: Bool
    var members: [ClosedRange<Character>]

    init?(_ pattern: String) {
        var chars = Array(pattern)
        guard chars.count >= 3, chars.first == "[", chars.last == "]" else { return nil }
        chars = Array(chars[1..<(chars.count - 1)])
        negated = chars.first == "^"
        if negated { chars.removeFirst() }
        members = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\" || c == "[" { return nil }
            if i + 2 < chars.count, chars[i + 1] == "-" {
                guard c <= chars[i + 2] else { return nil }
                members.append(c...chars[i + 2])
                i += 3
            } else {
                members.append(c...c)
                i += 1
            }
        }
    }

    func matches(_ c: Character) -> Bool {
        members.contains { $0.contains(c) } != negated
    }
}
