/// Builds a `D2Config` from a parsed Kea config file as Kea 2.4's kea-dhcp-ddns reads it: one
/// top-level `DhcpDdns` object, Kea's keys, defaults (`D2SimpleParser`) and checks, with Kea's
/// messages (`D2CfgError` texts, the position in parentheses).
public enum D2ConfigDecoder {
    public static func decode(_ root: JSONNode) throws(ConfigError) -> D2Config {
        var decoding = D2Decoding()
        let node = try decoding.topLevel(root, daemon: "DhcpDdns")
        var config = try decoding.decodeDhcpDdns(node)
        config.warnings = decoding.warnings
        return config
    }

    /// Parses `text` (Kea's JSON dialect) and decodes it.
    public static func decode(text: String, file: String = "<string>") throws(ConfigError) -> D2Config {
        try decode(try KeaJSON.parse(text, file: file, include: { name in
            throw ConfigError(code: .include, message: "Can't open include file \(name)")
        }))
    }
}

struct D2Decoding: KeaConfigDecoding {
    var warnings: [ConfigWarning] = []

    mutating func decodeDhcpDdns(_ node: JSONNode) throws(ConfigError) -> D2Config {
        var config = D2Config()
        let members = try object(node)
        // Keys first: domains name them.
        var keys: [String: D2TSIGKey] = [:]
        if let k = members.first(where: { $0.key == "tsig-keys" }) {
            for entry in try array(k.value) {
                let key = try decodeTSIGKey(entry)
                guard keys[key.configName] == nil else {
                    throw ConfigError.semantic(.duplicate, "Duplicate TSIG key name specified : \(key.configName)",
                                               at: entry.member("name")?.value.position ?? entry.position)
                }
                keys[key.configName] = key
                config.tsigKeys.append(key)
            }
        }
        for member in members {
            switch member.key {
            case "ip-address":
                let text = try string(member.value)
                guard let a = IPAddress(text) else {
                    throw ConfigError.semantic(.invalidValue, "Failed to convert '\(text)' to address: Failed to convert string to address '\(text)': Invalid argument", at: member.value.position)
                }
                if a == .v4(.zero) || a == .v6(IPv6Address(high: 0, low: 0)) {
                    throw ConfigError.semantic(.invalidValue, "IP address cannot be \"\(a)\"", at: member.value.position)
                }
                config.ipAddress = a
            case "port": config.port = try uint16(member)
            case "dns-server-timeout":
                let v = try integer(member, in: 0...Int64(UInt32.max))
                guard v > 0 else {
                    throw ConfigError.semantic(.outOfRange, "dns-server-timeout must be greater than zero", at: member.value.position)
                }
                config.dnsServerTimeoutMilliseconds = UInt32(v)
            case "ncr-protocol":
                let p = try keyword(member.value, among: ["UDP", "TCP"])
                guard p == "UDP" else {
                    throw ConfigError.semantic(.unsupported, "ncr-protocol : TCP is not yet supported", at: member.value.position)
                }
            case "ncr-format": _ = try keyword(member.value, among: ["JSON"])
            case "tsig-keys": break  // Read first, above.
            case "forward-ddns": config.forwardDomains = try decodeDomainList(member.value, keys: keys, context: "forward-ddns")
            case "reverse-ddns": config.reverseDomains = try decodeDomainList(member.value, keys: keys, context: "reverse-ddns")
            case "control-socket": config.controlSocket = try decodeControlSocket(member.value, path: "DhcpDdns/control-socket")
            case "loggers": config.loggers = try decodeLoggers(member.value, path: "DhcpDdns/loggers")
            case "hooks-libraries":
                config.hooksLibraries = try decodeHooksLibraries(member.value, path: "DhcpDdns/hooks-libraries",
                                                                 available: [], daemon: "kakapo-dhcp-ddns")
            default:
                if try annotation(member) { continue }
                throw unknownKey(member, context: "DhcpDdns")
            }
        }
        return config
    }

    func decodeTSIGKey(_ node: JSONNode) throws(ConfigError) -> D2TSIGKey {
        var name: String?, algorithmText: String?, secretText: String?, bits: Int64 = 0
        var algorithmNode: JSONNode?, bitsNode: JSONNode?
        for member in try object(node) {
            switch member.key {
            case "name":
                name = try string(member.value)
                guard !name!.isEmpty else {
                    throw ConfigError.semantic(.invalidValue, "TSIG key name cannot be blank", at: member.value.position)
                }
            case "algorithm":
                algorithmText = try string(member.value)
                algorithmNode = member.value
            case "digest-bits":
                bits = try integer(member, in: 0...Int64(Int32.max))
                bitsNode = member.value
            case "secret": secretText = try string(member.value)
            default:
                if try annotation(member) { continue }
                throw unknownKey(member, context: "tsig-keys")
            }
        }
        let keyName = try require("name", in: node, context: "tsig-keys")
        _ = try require("algorithm", in: node, context: "tsig-keys")
        _ = try require("secret", in: node, context: "tsig-keys")
        guard let algorithm = TSIGAlgorithm(keaName: algorithmText ?? "") else {
            throw ConfigError.semantic(.invalidValue, "tsig-key : Unknown TSIG Key algorithm: \(algorithmText ?? "")",
                                       at: algorithmNode?.position ?? node.position)
        }
        // Non-zero digest-bits: a whole number of octets, at least 80 and half the digest.
        if bits > 0 && (bits % 8 != 0 || bits < 80 || bits < Int64(algorithm.digestLength * 4)) {
            throw ConfigError.semantic(.outOfRange, "tsig-key: digest-bits too small : (\(bitsNode?.position ?? node.position))",
                                       at: bitsNode?.position ?? node.position)
        }
        guard let secret = Base64.decode(secretText ?? ""), !secret.isEmpty else {
            throw ConfigError.semantic(.invalidValue, "Cannot make D2TsigKey: Incomplete input for base64: \(secretText ?? "")",
                                       at: node.position)
        }
        guard let dnsName = try? DNSName(name ?? "") else {
            throw ConfigError.semantic(.invalidValue, "Cannot make D2TsigKey: invalid key name \(name ?? "")", at: keyName.value.position)
        }
        return D2TSIGKey(key: TSIGKey(name: dnsName, algorithm: algorithm, secret: secret, digestBits: Int(bits)),
                         configName: name ?? "")
    }

    func decodeDomainList(_ node: JSONNode, keys: [String: D2TSIGKey], context: String) throws(ConfigError) -> [D2Domain] {
        var domains: [D2Domain] = []
        for member in try object(node) {
            switch member.key {
            case "ddns-domains":
                for entry in try array(member.value) {
                    let d = try decodeDomain(entry, keys: keys)
                    guard !domains.contains(where: { $0.name == d.name && $0.isWildcard == d.isWildcard }) else {
                        throw ConfigError.semantic(.duplicate, "Duplicate domain specified:\(d.isWildcard ? "*" : d.name.description)",
                                                   at: entry.member("name")?.value.position ?? entry.position)
                    }
                    domains.append(d)
                }
            default:
                if try annotation(member) { continue }
                throw unknownKey(member, context: context)
            }
        }
        return domains
    }

    func decodeDomain(_ node: JSONNode, keys: [String: D2TSIGKey]) throws(ConfigError) -> D2Domain {
        var nameText = "", keyName = "", servers: [D2DNSServer] = []
        var serversNode: JSONNode?
        for member in try object(node) {
            switch member.key {
            case "name":
                nameText = try string(member.value)
                guard !nameText.isEmpty else {
                    throw ConfigError.semantic(.invalidValue, "Ddns domain name cannot be blank", at: member.value.position)
                }
            case "key-name": keyName = try string(member.value)
            case "dns-servers":
                serversNode = member.value
                for s in try array(member.value) { servers.append(try decodeServer(s, keys: keys)) }
            default:
                if try annotation(member) { continue }
                throw unknownKey(member, context: "ddns-domains")
            }
        }
        let nameMember = try require("name", in: node, context: "ddns-domains")
        var key: TSIGKey?
        if !keyName.isEmpty {
            guard let k = keys[keyName] else {
                throw ConfigError.semantic(.invalidValue, "DdnsDomain : \(nameText) specifies an undefined key: \(keyName)",
                                           at: node.member("key-name")?.value.position ?? node.position)
            }
            key = k.key
        }
        guard let servers = Optional(servers), !servers.isEmpty else {
            throw ConfigError.semantic(.invalidValue, "DNS server list cannot be empty", at: serversNode?.position ?? node.position)
        }
        let wildcard = nameText == "*"
        let name: DNSName
        if wildcard { name = .root } else {
            guard let n = try? DNSName(nameText) else {
                throw ConfigError.semantic(.invalidValue, "invalid domain name: \(nameText)", at: nameMember.value.position)
            }
            name = n
        }
        // A server without its own key uses the domain's.
        return D2Domain(name: name, isWildcard: wildcard, key: key,
                        servers: servers.map { var s = $0; if s.key == nil { s.key = key }; return s })
    }

    func decodeServer(_ node: JSONNode, keys: [String: D2TSIGKey]) throws(ConfigError) -> D2DNSServer {
        var hostname = "", addressText = "", port: UInt16 = 53, keyName = ""
        var addressNode: JSONNode?
        for member in try object(node) {
            switch member.key {
            case "hostname": hostname = try string(member.value)
            case "ip-address":
                addressText = try string(member.value)
                addressNode = member.value
            case "port": port = try uint16(member)
            case "key-name": keyName = try string(member.value)
            default:
                if try annotation(member) { continue }
                throw unknownKey(member, context: "dns-servers")
            }
        }
        guard hostname.isEmpty != addressText.isEmpty else {
            throw ConfigError.semantic(.invalidValue, "Dns Server must specify one or the other of hostname or IP address",
                                       at: node.position)
        }
        guard hostname.isEmpty else {
            throw ConfigError.semantic(.unsupported, "Dns Server : hostname is not yet supported",
                                       at: node.member("hostname")?.value.position ?? node.position)
        }
        guard let address = IPAddress(addressText) else {
            throw ConfigError.semantic(.invalidValue, "Dns Server : invalid IP address : \(addressText)",
                                       at: addressNode?.position ?? node.position)
        }
        var key: TSIGKey?
        if !keyName.isEmpty {
            guard let k = keys[keyName] else {
                throw ConfigError.semantic(.invalidValue, "DnsServerInfo : \(addressText) specifies an undefined key: \(keyName)",
                                           at: node.member("key-name")?.value.position ?? node.position)
            }
            key = k.key
        }
        return D2DNSServer(address: address, port: port, key: key)
    }
}

/// RFC 4648 base64 (TSIG secrets). Whitespace is not allowed; padding is.
public enum Base64 {
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var acc: UInt32 = 0, bits = 0, padding = 0
        for c in text.utf8 {
            let v: UInt32
            switch c {
            case 65...90: v = UInt32(c - 65)
            case 97...122: v = UInt32(c - 71)
            case 48...57: v = UInt32(c + 4)
            case 43: v = 62
            case 47: v = 63
            case 61:
                padding += 1
                continue
            default: return nil
            }
            guard padding == 0 else { return nil }
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        guard padding <= 2, (text.utf8.count % 4 == 0) || padding == 0 else { return nil }
        return out
    }
}
