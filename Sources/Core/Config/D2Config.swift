/// The `DhcpDdns` configuration of Kea 2.4's DHCP-DDNS daemon (kea-dhcp-ddns, "D2"), which
/// kakapo-dhcp-ddns reads as it is.
public struct D2Config: Sendable, Equatable {
    /// Where name-change requests arrive (`ip-address`, `port`): Kea's 127.0.0.1:53001.
    public var ipAddress: IPAddress = .v4(IPv4Address(127, 0, 0, 1))
    public var port: UInt16 = 53001
    /// `dns-server-timeout`, milliseconds per DNS exchange.
    public var dnsServerTimeoutMilliseconds: UInt32 = D2Config.defaultDNSServerTimeout
    public var tsigKeys: [D2TSIGKey] = []
    public var forwardDomains: [D2Domain] = []
    public var reverseDomains: [D2Domain] = []
    public var controlSocket: ControlSocketConfig?
    public var loggers: [LoggerConfig] = []
    public var hooksLibraries: [HookLibrary] = []
    public var warnings: [ConfigWarning] = []

    /// Kea 2.4's default `dns-server-timeout` (ms).
    public static let defaultDNSServerTimeout: UInt32 = 500

    public init() {}

    /// The domain that serves `name`: the longest `ddns-domains` name it is in, else the
    /// wildcard domain "*" when there is one (Kea's `DdnsDomainListMgr::matchDomain`).
    public static func match(_ name: DNSName, in domains: [D2Domain]) -> D2Domain? {
        if domains.count == 1, domains[0].isWildcard { return domains[0] }
        var best: D2Domain?
        for d in domains where !d.isWildcard && name.isSubdomain(of: d.name) {
            if best == nil || d.name.labels.count > best!.name.labels.count { best = d }
        }
        return best ?? domains.first(where: \.isWildcard)
    }
}

/// A `tsig-keys` entry.
public struct D2TSIGKey: Sendable, Equatable {
    public var key: TSIGKey
    /// The name as written (what `key-name` refers to).
    public var configName: String
}

/// A `forward-ddns` / `reverse-ddns` domain.
public struct D2Domain: Sendable, Equatable {
    public var name: DNSName
    public var isWildcard: Bool
    /// The domain's TSIG key, when `key-name` names one.
    public var key: TSIGKey?
    public var servers: [D2DNSServer]
}

/// A DNS server of a domain.
public struct D2DNSServer: Sendable, Equatable {
    public var address: IPAddress
    public var port: UInt16
    /// A server's own `key-name` overrides the domain's.
    public var key: TSIGKey?
}
