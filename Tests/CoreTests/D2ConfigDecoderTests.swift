import Foundation
import Testing
@testable import KakapoCore

@Suite struct D2ConfigDecoderTests {
    static let seedPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/configs/seed/kea-dhcp-ddns.conf").path

    @Test func seedConfigIsAcceptedAsItIs() throws {
        let text = try String(contentsOfFile: Self.seedPath, encoding: .utf8)
        let c = try D2ConfigDecoder.decode(text: text, file: Self.seedPath)
        #expect(c.ipAddress == .v4(IPv4Address(127, 0, 0, 1)) && c.port == 53001)
        #expect(c.dnsServerTimeoutMilliseconds == D2Config.defaultDNSServerTimeout)
        #expect(c.tsigKeys.map(\.configName) == ["rndc-key"])
        #expect(c.tsigKeys[0].key.algorithm == .hmacSHA256 && c.tsigKeys[0].key.secret.count == 32)
        #expect(c.forwardDomains.map(\.name.description) == ["your.domain.tld."])
        #expect(c.reverseDomains.first?.servers.first?.key?.name.description == "rndc-key.")
        #expect(c.controlSocket?.socketName == "/run/kea-ddns-ctrl-socket")
        #expect(c.loggers.count == 1)
    }

    func error(_ body: String) -> String? {
        do { _ = try D2ConfigDecoder.decode(text: "{ \"DhcpDdns\": { \(body) } }"); return nil } catch { return error.message }
    }

    @Test func keasChecksAndWording() {
        #expect(error("\"ip-address\": \"0.0.0.0\"")?.hasPrefix("IP address cannot be \"0.0.0.0\"") == true)
        #expect(error("\"ncr-protocol\": \"TCP\"")?.hasPrefix("ncr-protocol : TCP is not yet supported") == true)
        #expect(error("\"bogus\": 1")?.contains("got unexpected keyword \"bogus\" in DhcpDdns map.") == true)
        let key = #""tsig-keys": [ { "name": "k", "algorithm": "HMAC-SHA256", "secret": "c2VjcmV0" } ]"#
        #expect(error(key) == nil)
        #expect(error(key + ", " + #""forward-ddns": { "ddns-domains": [ { "name": "a.", "key-name": "nope", "dns-servers": [ { "ip-address": "192.0.2.53" } ] } ] }"#)?
                    .hasPrefix("DdnsDomain : a. specifies an undefined key: nope") == true)
        #expect(error(#""forward-ddns": { "ddns-domains": [ { "name": "a.", "dns-servers": [] } ] }"#)?.hasPrefix("DNS server list cannot be empty") == true)
        #expect(error(#""forward-ddns": { "ddns-domains": [ { "name": "a.", "dns-servers": [ { "hostname": "ns.a." } ] } ] }"#)?
                    .hasPrefix("Dns Server : hostname is not yet supported") == true)
        #expect(error(#""forward-ddns": { "ddns-domains": [ { "name": "a.", "dns-servers": [ { "ip-address": "192.0.2.53" } ] }, { "name": "A.", "dns-servers": [ { "ip-address": "192.0.2.53" } ] } ] }"#)?
                    .hasPrefix("Duplicate domain specified:") == true)
        #expect(error(#""tsig-keys": [ { "name": "k", "algorithm": "HMAC-SHA256", "secret": "c2VjcmV0", "digest-bits": 96 } ]"#)?
                    .hasPrefix("tsig-key: digest-bits too small") == true)
        #expect(error(#""tsig-keys": [ { "name": "k", "algorithm": "HMAC-SHA9", "secret": "c2VjcmV0" } ]"#)?
                    .contains("Unknown TSIG Key algorithm") == true)
        #expect(error(#""tsig-keys": [ { "name": "k", "algorithm": "HMAC-MD5", "secret": "c2VjcmV0" }, { "name": "k", "algorithm": "HMAC-MD5", "secret": "c2VjcmV0" } ]"#)?
                    .hasPrefix("Duplicate TSIG key name specified : k") == true)
        #expect(error(#""tsig-keys": [ { "name": "k", "algorithm": "HMAC-MD5", "secret": "not base64!" } ]"#) != nil)
    }

    @Test func domainMatchingIsLongestSuffixThenWildcard() throws {
        let servers = [D2DNSServer(address: .v4(IPv4Address(192, 0, 2, 53)), port: 53, key: nil)]
        let domains = [
            D2Domain(name: try DNSName("example.org"), isWildcard: false, key: nil, servers: servers),
            D2Domain(name: try DNSName("lab.example.org"), isWildcard: false, key: nil, servers: servers),
            D2Domain(name: .root, isWildcard: true, key: nil, servers: servers),
        ]
        #expect(D2Config.match(try DNSName("h.lab.example.org"), in: domains)?.name.description == "lab.example.org.")
        #expect(D2Config.match(try DNSName("h.example.org"), in: domains)?.name.description == "example.org.")
        #expect(D2Config.match(try DNSName("h.otherexample.org"), in: domains)?.isWildcard == true)
        #expect(D2Config.match(try DNSName("h.other.net"), in: Array(domains.prefix(2))) == nil)
    }

    @Test func base64() {
        #expect(Base64.decode("c2VjcmV0") == Array("secret".utf8))
        #expect(Base64.decode("YQ==") == [97])
        #expect(Base64.decode("YQ=") == nil)
        #expect(Base64.decode("Y Q==") == nil)
    }
}
