import Testing
@testable import KakapoCore

@Suite struct NameChangeRequestWireTests {
    let sample = NameChangeRequest(changeType: .add, forward: true, reverse: false, fqdn: "myhost.example.com.",
                                   address: "192.0.2.1", dhcid: [0x01, 0x02, 0x03, 0x04, 0x0A, 0x7F, 0x8E, 0x3D],
                                   leaseExpiresOn: WallTime(secondsSinceEpoch: 1_358_774_645), leaseLengthSeconds: 1300,
                                   useConflictResolution: true)

    @Test func keasTextAndLengthPrefix() throws {
        // The example of Kea's D2 documentation (lease-expires-on 2013-01-21 13:24:05 UTC).
        #expect(sample.jsonText == #"{"change-type":0,"forward-change":true,"reverse-change":false,"fqdn":"myhost.example.com.","ip-address":"192.0.2.1","dhcid":"010203040A7F8E3D","lease-expires-on":"20130121132405","lease-length":1300,"use-conflict-resolution":true}"#)
        let w = sample.wire
        #expect(Int(w[0]) << 8 | Int(w[1]) == w.count - 2)
        #expect(try NameChangeRequest.decode(wire: w).get() == sample)
    }

    @Test func keasChecks() {
        func refused(_ json: String) -> String? {
            if case .failure(let e) = NameChangeRequest.decode(json: json) { return e.message }
            return nil
        }
        let base = #""forward-change":true,"reverse-change":true,"fqdn":"h.example.","ip-address":"192.0.2.1","dhcid":"0102","lease-expires-on":"20261130120000","lease-length":60"#
        #expect(refused("{\"change-type\":0,\(base)}") == nil)
        #expect(refused("{\"change-type\":2,\(base)}") != nil)
        #expect(refused("{\"change-type\":0,\(base.replacingOccurrences(of: "\"forward-change\":true", with: "\"forward-change\":false").replacingOccurrences(of: "\"reverse-change\":true", with: "\"reverse-change\":false"))}")
                == "Invalid Request, forward and reverse flags are both false")
        #expect(refused("{\"change-type\":0,\(base.replacingOccurrences(of: "192.0.2.1", with: "192.0.2"))}") != nil)
        #expect(refused("{\"change-type\":0,\(base.replacingOccurrences(of: "0102", with: "01x2"))}") != nil)
        #expect(refused("{\"change-type\":0,\(base.replacingOccurrences(of: "20261130120000", with: "20260230120000"))}") != nil)
        #expect(refused("{\"change-type\":0}")?.contains("forward-change") == true)
        #expect(refused("[1]") != nil)
        #expect(refused("{") != nil)
        // A length prefix that lies.
        if case .success = NameChangeRequest.decode(wire: [0, 9, 0x7B, 0x7D]) { Issue.record("a lying length prefix was accepted") }
    }

    @Test func compactTimeRoundTrip() {
        for s: Int64 in [0, 951_782_400 /* 2000-02-29 */, 1_358_774_645, 4_102_444_799] {
            let t = WallTime(secondsSinceEpoch: s)
            #expect(WallTime(compactUTC: t.compactUTC) == t)
        }
        #expect(WallTime(secondsSinceEpoch: 951_782_400).compactUTC == "20000229000000")
        #expect(WallTime(compactUTC: "20010229000000") == nil)
    }

    @Test func dhcidLayout() throws {
        let name = try DNSName("Client.Example.com")
        var seen: [UInt8] = []
        let r = DHCID.rdata(type: .clientIdentifier, identifier: [1, 0xAA], fqdn: name) { input in
            seen = input
            return [UInt8](repeating: 7, count: 32)
        }
        #expect(Array(r.prefix(3)) == [0, 1, 1])
        #expect(r.count == 35)
        // The digest covers the identifier, then the name in canonical (lower-case) wire form.
        #expect(seen == [1, 0xAA] + (try DNSName("client.example.com")).wire)
    }
}
