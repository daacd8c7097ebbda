import XCTest
@testable import KakapoCore

/// Vendor options end to end, from a Kea configuration to the bytes of the reply: option 125
/// (`vivso-suboptions` with `vendor-<enterprise>` spaces), option 124 (`vivco-suboptions`),
/// option 43 with `vendor-encapsulated-options-space`, always-send / never-send, and hex data
/// (`csv-format: false`). Expected bytes are written out by hand from RFC 3925 and, for the
/// multi-vendor cases, from ISC's forge tests of Kea (`test_vendor_options.py`).
final class VendorOptionTests: XCTestCase {
    // MARK: - Helpers

    /// A configuration with one subnet (192.0.2.0/24, pool .10-.19) around the given
    /// global keys and subnet keys; the harness' interface is on that subnet.
    func config(_ globals: String, subnet: String = "") throws -> Dhcp4Config {
        let text = """
        { "Dhcp4": { \(globals)
          "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", \(subnet)
            "pools": [ { "pool": "192.0.2.10 - 192.0.2.19" } ] } ] } }
        """
        let root = try KeaJSON.parse(text, file: "v.conf", include: { _ in "" })
        return try Dhcp4ConfigDecoder.decode(root)
    }

    /// The OFFER for a DISCOVER carrying `options`.
    func offer(_ config: Dhcp4Config, _ options: [(UInt8, [UInt8])], mac: UInt8 = 1) throws -> DHCPv4Message {
        var h = EngineHarness(config: config)
        let reply = try XCTUnwrap(h.send(EngineHarness.message(.discover, mac: EngineHarness.mac(mac), options: options)).replies.first)
        XCTAssertEqual(reply.messageType, .offer)
        return reply
    }

    static let prl = DHCPv4Option.dhcpParameterRequestList.code
    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    /// One RFC 3925 enterprise block: number, data length, data.
    static func block(_ enterprise: UInt32, _ data: [UInt8]) -> [UInt8] { be32(enterprise) + [UInt8(data.count)] + data }

    /// forge's `_option_def()`: vendors 1234 and 5678 each define codes 123 and 124; 2222 defines
    /// codes but gets no data.
    static let defs = """
        "option-def": [
          { "code": 123, "name": "my-123-option", "space": "vendor-1234", "type": "boolean" },
          { "code": 124, "name": "my-124-option", "space": "vendor-1234", "type": "int32" },
          { "code": 123, "name": "your-123-option", "space": "vendor-5678", "type": "ipv4-address" },
          { "code": 124, "name": "your-124-option", "space": "vendor-5678", "type": "string" },
          { "code": 123, "name": "their-123-option", "space": "vendor-2222", "type": "string" }
        ],
        """
    /// forge's `_option_data()` for DHCPv4: 125 declared for 1234, 5678 and 4444 (which has no
    /// options), and always-send sub-options for 1234 and 5678.
    static let data = """
        "option-data": [
          { "name": "vivso-suboptions", "data": "1234" },
          { "name": "vivso-suboptions", "data": "5678" },
          { "name": "vivso-suboptions", "data": "4444" },
          { "always-send": true, "code": 123, "data": "1", "space": "vendor-1234" },
          { "always-send": true, "code": 124, "data": "512", "space": "vendor-1234" },
          { "always-send": true, "code": 123, "data": "192.0.2.2", "space": "vendor-5678" },
          { "always-send": true, "code": 124, "data": "text", "space": "vendor-5678" }
        ],
        """
    static let block1234 = block(1234, [123, 1, 1, 124, 4, 0, 0, 2, 0])
    static let block5678 = block(5678, [123, 4, 192, 0, 2, 2, 124, 4] + Array("text".utf8))
    static let block4444 = block(4444, [])

    // MARK: - Decoding

    /// Goal: `vendor-<n>` option-data is kept per enterprise (not packed, not warned about) and
    /// the 125 entries carry their enterprise number. Method: decode forge's configuration and
    /// compare the global list entry by entry.
    func testVendorSpaceOptionsAreKeptWithTheirEnterprise() throws {
        let c = try config(Self.defs + Self.data)
        XCTAssertEqual(c.warnings.map(\.message), [])
        XCTAssertEqual(c.optionData, [
            ConfiguredOption(code: 125, payload: Self.be32(1234) + [0]),
            ConfiguredOption(code: 125, payload: Self.be32(5678) + [0]),
            ConfiguredOption(code: 125, payload: Self.be32(4444) + [0]),
            ConfiguredOption(code: 123, payload: [1], alwaysSend: true, enterprise: 1234),
            ConfiguredOption(code: 124, payload: [0, 0, 2, 0], alwaysSend: true, enterprise: 1234),
            ConfiguredOption(code: 123, payload: [192, 0, 2, 2], alwaysSend: true, enterprise: 5678),
            ConfiguredOption(code: 124, payload: Array("text".utf8), alwaysSend: true, enterprise: 5678),
        ])
    }

    /// Goal: a second entry of the same vendor and code at one level is reported, and the first
    /// is the one kept. Standard CableLabs names (`vendor-4491` `tftp-servers`) need no option-def.
    func testDuplicateVendorOptionIsWarnedAndFirstKept() throws {
        let c = try config("""
            "option-data": [
              { "name": "tftp-servers", "space": "vendor-4491", "data": "10.0.0.1" },
              { "name": "tftp-servers", "space": "vendor-4491", "data": "10.0.0.2" } ],
            """)
        XCTAssertEqual(c.optionData, [ConfiguredOption(code: 2, payload: [10, 0, 0, 1], enterprise: 4491)])
        XCTAssertEqual(c.warnings.count, 1)
        XCTAssertTrue(c.warnings.first?.message.contains("an earlier entry of this level") ?? false)
    }

    // MARK: - Option 125

    /// Goal: several enterprises in one option 125, as Kea 2.4 answers forge's
    /// `test_v4_multiple_vendors_multiple_options_using_global_option_data`: the client asks for
    /// 125 and gets one block per configured vendor, in reverse order of the 125 entries (4444
    /// empty, then 5678, then 1234), each with its always-send sub-options in code order,
    /// whatever vendor the client is.
    func testOption125CarriesEveryConfiguredVendorWhenRequested() throws {
        let c = try config(Self.defs + Self.data)
        let reply = try offer(c, [(Self.prl, [1, 3, 125])])
        XCTAssertEqual(reply.options[125], Self.block4444 + Self.block5678 + Self.block1234)
        // The wire form: code 125, one length, the three blocks.
        let bytes = reply.encode()
        let expected: [UInt8] = [125, UInt8(Self.block4444.count + Self.block5678.count + Self.block1234.count)]
            + Self.block4444 + Self.block5678 + Self.block1234
        XCTAssertNotNil(bytes.firstRange(of: expected))
    }

    /// Goal: without 125 in option 55, only the vendors the client names (its 125 or 124) get a
    /// block, and only when they have something to send; a client naming no vendor gets none.
    func testUnrequested125GoesOnlyToTheSignalledVendor() throws {
        let c = try config(Self.defs + Self.data)
        let viaVivco = try offer(c, [(124, Self.block(5678, [3] + Array("abc".utf8)))])
        XCTAssertEqual(viaVivco.options[125], Self.block5678)
        let viaVivso = try offer(c, [(125, Self.block(1234, [])), (124, Self.block(9999, [0]))])
        XCTAssertEqual(viaVivso.options[125], Self.block1234)
        // 2222 has definitions but no data, 4444 a 125 entry but no sub-options: nothing to send.
        let unknown = try offer(c, [(125, Self.block(2222, []) + Self.block(4444, []))])
        XCTAssertNil(unknown.options[125])
        XCTAssertNil(try offer(c, []).options[125])
    }

    /// Goal: the client's vendors are read block by block up to a truncated one: a complete
    /// first block still names its vendor, a block cut short names none.
    func testTruncatedClientBlocksAreIgnored() throws {
        let c = try config(Self.defs + Self.data)
        let cut = try offer(c, [(125, Self.block(1234, []) + Self.be32(5678) + [9, 1])])
        XCTAssertEqual(cut.options[125], Self.block1234)
        XCTAssertNil(try offer(c, [(124, Self.be32(5678) + [4, 1, 2])]).options[125])
    }

    /// Goal: a client naming two vendors gets both blocks, in ascending enterprise order, when
    /// the configuration declares no 125 entry of its own (Kea's second step).
    func testTwoSignalledVendorsGetTwoBlocksInAscendingOrder() throws {
        let c = try config(Self.defs + """
            "option-data": [
              { "always-send": true, "code": 123, "data": "192.0.2.2", "space": "vendor-5678" },
              { "always-send": true, "code": 123, "data": "true", "space": "vendor-1234" } ],
            """)
        let reply = try offer(c, [(125, Self.block(5678, []) + Self.block(1234, []))])
        XCTAssertEqual(reply.options[125], Self.block(1234, [123, 1, 1]) + Self.block(5678, [123, 4, 192, 0, 2, 2]))
    }

    /// Goal: DOCSIS (CableLabs, 4491): a sub-option without always-send goes out only when the
    /// client's own 125 asks for it in its ORO (sub-option 1), and never-send wins over the ORO.
    func testCableLabsOROSelectsSubOptions() throws {
        let c = try config("""
            "option-data": [
              { "name": "tftp-servers", "space": "vendor-4491", "data": "10.0.0.1, 10.0.0.2" },
              { "code": 3, "space": "vendor-4491", "data": "0A0B" } ],
            """)
        let asking = try offer(c, [(125, Self.block(4491, [1, 2, 2, 9]))])
        XCTAssertEqual(asking.options[125], Self.block(4491, [2, 8, 10, 0, 0, 1, 10, 0, 0, 2]))
        let both = try offer(c, [(125, Self.block(4491, [1, 2, 3, 2]))])
        XCTAssertEqual(both.options[125], Self.block(4491, [2, 8, 10, 0, 0, 1, 10, 0, 0, 2, 3, 2, 0x0A, 0x0B]))
        // No ORO: nothing asked, nothing sent, even with 125 in option 55.
        XCTAssertNil(try offer(c, [(125, Self.block(4491, [])), (Self.prl, [125])]).options[125])
        // An ORO in another vendor's block means nothing.
        XCTAssertNil(try offer(c, [(125, Self.block(4492, [1, 1, 2]))]).options[125])

        let cancelled = try config("""
            "option-data": [
              { "name": "tftp-servers", "space": "vendor-4491", "data": "10.0.0.1", "never-send": true } ],
            """)
        XCTAssertNil(try offer(cancelled, [(125, Self.block(4491, [1, 1, 2]))]).options[125])
    }

    /// Goal: always-send on the 125 entry itself makes a block for its vendor without option 55;
    /// never-send on it stops the configured vendors' blocks even when 55 asks for 125.
    func testAlwaysSendAndNeverSendOnOption125() throws {
        let always = try config("""
            "option-data": [ { "name": "vivso-suboptions", "data": "1234", "always-send": true } ],
            """)
        XCTAssertEqual(try offer(always, []).options[125], Self.block(1234, []))

        let never = try config(Self.defs + """
            "option-data": [
              { "name": "vivso-suboptions", "data": "1234", "never-send": true },
              { "always-send": true, "code": 123, "data": "1", "space": "vendor-1234" } ],
            """)
        XCTAssertNil(try offer(never, [(Self.prl, [125])]).options[125])
        // The client naming the vendor still gets its always-send sub-options (Kea's second step
        // does not look at 125's never-send).
        XCTAssertEqual(try offer(never, [(124, Self.block(1234, [0]))]).options[125], Self.block(1234, [123, 1, 1]))
    }

    /// Goal: a subnet's vendor sub-option overrides the global one of the same vendor and code,
    /// and a never-send at any level cancels it.
    func testVendorSubOptionPrecedenceAcrossLevels() throws {
        let c = try config(Self.defs + """
            "option-data": [ { "always-send": true, "code": 124, "data": "7", "space": "vendor-1234" } ],
            """, subnet: """
            "option-data": [ { "code": 124, "data": "9", "space": "vendor-1234" } ],
            """)
        XCTAssertEqual(try offer(c, [(124, Self.block(1234, [0]))]).options[125], Self.block(1234, [124, 4, 0, 0, 0, 9]))

        let cancelled = try config(Self.defs + """
            "option-data": [ { "never-send": true, "code": 124, "data": "7", "space": "vendor-1234" } ],
            """, subnet: """
            "option-data": [ { "always-send": true, "code": 124, "data": "9", "space": "vendor-1234" } ],
            """)
        XCTAssertNil(try offer(cancelled, [(124, Self.block(1234, [0]))]).options[125])
    }

    /// Goal: hex data (`csv-format: false`) works for the 125 entry and for vendor sub-options.
    func testHexDataForVendorOptions() throws {
        let c = try config("""
            "option-data": [
              { "name": "vivso-suboptions", "csv-format": false, "data": "00 00 04 D2" },
              { "code": 7, "space": "vendor-1234", "csv-format": false, "data": "0A:0B:0C", "always-send": true } ],
            """)
        XCTAssertEqual(c.optionData.last, ConfiguredOption(code: 7, payload: [10, 11, 12], alwaysSend: true, enterprise: 1234))
        XCTAssertEqual(try offer(c, [(Self.prl, [125])]).options[125], Self.block(1234, [7, 3, 10, 11, 12]))
    }

    // MARK: - Option 124

    /// Goal: configured V-I vendor class options go out one per enterprise, reverse file order,
    /// when asked for in option 55 or always-send, and not with never-send.
    func testOption124() throws {
        let c = try config("""
            "option-data": [
              { "name": "vivco-suboptions", "data": "1234, 03666f6f" },
              { "name": "vivco-suboptions", "data": "5678, 03626172" } ],
            """)
        XCTAssertEqual(c.optionData.first?.payload, Self.be32(1234) + [3] + Array("foo".utf8))
        let reply = try offer(c, [(Self.prl, [124])])
        XCTAssertEqual(reply.options[124], Self.be32(5678) + [3] + Array("bar".utf8) + Self.be32(1234) + [3] + Array("foo".utf8))
        XCTAssertNil(try offer(c, [(Self.prl, [3])]).options[124])

        let always = try config("""
            "option-data": [ { "name": "vivco-suboptions", "csv-format": false, "data": "000004D203666F6F", "always-send": true } ],
            """)
        XCTAssertEqual(try offer(always, []).options[124], Self.be32(1234) + [3] + Array("foo".utf8))

        let never = try config("""
            "option-data": [ { "name": "vivco-suboptions", "data": "1234, 03666f6f", "never-send": true } ],
            """)
        XCTAssertNil(try offer(never, [(Self.prl, [124])]).options[124])
    }

    /// Goal: the subnet's 124 for an enterprise shadows the global one of the same enterprise;
    /// other enterprises still follow.
    func testOption124PerEnterpriseAcrossLevels() throws {
        let c = try config("""
            "option-data": [
              { "name": "vivco-suboptions", "data": "1234, 03666f6f" },
              { "name": "vivco-suboptions", "data": "42, 0178" } ],
            """, subnet: """
            "option-data": [ { "name": "vivco-suboptions", "data": "1234, 03626172" } ],
            """)
        XCTAssertEqual(try offer(c, [(Self.prl, [124])]).options[124],
                       Self.be32(1234) + [3] + Array("bar".utf8) + Self.be32(42) + [1, 0x78])
    }

    // MARK: - Option 43

    /// forge's Siemens example: sub-options of `vendor-encapsulated-options-space`.
    static let siemens43 = """
        "option-def": [
          { "name": "vlanid", "code": 2, "space": "vendor-encapsulated-options-space", "type": "uint32" },
          { "name": "dls", "code": 3, "space": "vendor-encapsulated-options-space", "type": "string" } ],
        """
    static let siemens43Bytes: [UInt8] = [2, 4, 0, 0, 0, 0x7B, 3, 0x17] + Array("sdlp://192.0.2.11:18443".utf8)

    /// Goal: option 43 carries its sub-options end to end (forge's
    /// `test_v4_options_vendor_encapsulated_options_space_global_level`): sent when option 55
    /// asks for 43, or when the 43 entry is always-send; not otherwise.
    func testOption43SubOptionsReachTheReply() throws {
        let c = try config(Self.siemens43 + """
            "option-data": [
              { "name": "vendor-encapsulated-options" },
              { "always-send": true, "data": "123", "name": "vlanid", "space": "vendor-encapsulated-options-space" },
              { "always-send": true, "data": "sdlp://192.0.2.11:18443", "name": "dls", "space": "vendor-encapsulated-options-space" } ],
            """)
        XCTAssertEqual(try offer(c, [(Self.prl, [43])]).options[43], Self.siemens43Bytes)
        // The sub-options' always-send does not make 43 itself always-send.
        XCTAssertNil(try offer(c, [(Self.prl, [1])]).options[43])

        let always = try config(Self.siemens43 + """
            "option-data": [
              { "name": "vendor-encapsulated-options", "always-send": true },
              { "data": "123", "name": "vlanid", "space": "vendor-encapsulated-options-space" } ],
            """)
        XCTAssertEqual(try offer(always, []).options[43], [2, 4, 0, 0, 0, 0x7B])

        let never = try config(Self.siemens43 + """
            "option-data": [
              { "name": "vendor-encapsulated-options", "never-send": true },
              { "data": "123", "name": "vlanid", "space": "vendor-encapsulated-options-space" } ],
            """)
        XCTAssertNil(try offer(never, [(Self.prl, [43])]).options[43])
    }

    /// Goal: option 43 given as hex (`csv-format: false`) is sent byte for byte, and a subnet's
    /// 43 (with its own sub-options) overrides the global one.
    func testOption43HexAndPrecedence() throws {
        let hex = try config("""
            "option-data": [ { "name": "vendor-encapsulated-options", "csv-format": false, "data": "01 02 AA BB" } ],
            """)
        XCTAssertEqual(try offer(hex, [(Self.prl, [43])]).options[43], [1, 2, 0xAA, 0xBB])

        let layered = try config(Self.siemens43 + """
            "option-data": [
              { "name": "vendor-encapsulated-options" },
              { "data": "1", "name": "vlanid", "space": "vendor-encapsulated-options-space" } ],
            """, subnet: """
            "option-data": [
              { "name": "vendor-encapsulated-options" },
              { "data": "2", "name": "vlanid", "space": "vendor-encapsulated-options-space" } ],
            """)
        XCTAssertEqual(try offer(layered, [(Self.prl, [43])]).options[43], [2, 4, 0, 0, 0, 2])
    }

    // MARK: - Through client classes

    /// Goal: forge's `test_v4_options_vendor_encapsulated_unifi_address` end to end: the client's
    /// option 60 puts it in `VENDOR_CLASS_ubnt`, whose own definition of 43 (an address) shapes
    /// the 43 it gets; a client of another vendor gets no 43.
    func testClassOption43ReachesTheReply() throws {
        let config = try config("""
            "client-classes": [ { "name": "VENDOR_CLASS_ubnt",
              "option-def": [ { "name": "vendor-encapsulated-options", "type": "ipv4-address", "code": 43 } ],
              "option-data": [ { "name": "vendor-encapsulated-options", "data": "192.0.2.11" } ] } ],
            """)
        let vci = DHCPv4Option.vendorClassIdentifier.code
        let ubnt = try offer(config, [(Self.prl, [43]), (vci, Array("ubnt".utf8))])
        XCTAssertEqual(ubnt.options[43], [0xC0, 0, 2, 0x0B])
        let other = try offer(config, [(Self.prl, [43]), (vci, Array("acme".utf8))])
        XCTAssertNil(other.options[43])
    }

    /// Goal: forge's `test_v4_options_vivso_suboptions_unifi_address` and
    /// `test_v4_two_vendors_two_options_using_vendor_class_option_data`: a vendor class carries
    /// its 125 entry and always-send sub-options; the client of each vendor gets its own block.
    func testVendorClassesGiveEachVendorItsBlock() throws {
        let unifi = try config("""
            "option-def": [ { "name": "unifi-address", "code": 1, "space": "vendor-41112", "type": "ipv4-address" } ],
            "client-classes": [ { "name": "VENDOR_CLASS_41112", "option-data": [
                { "name": "vivso-suboptions", "data": "41112" },
                { "name": "unifi-address", "space": "vendor-41112", "data": "192.0.2.11", "always-send": true } ] } ],
            """)
        let vci = DHCPv4Option.vendorClassIdentifier.code
        let reply = try offer(unifi, [(Self.prl, [125]), (vci, Array("41112".utf8))])
        XCTAssertEqual(reply.options[125], [0x00, 0x00, 0xA0, 0x98, 0x06, 0x01, 0x04, 0xC0, 0x00, 0x02, 0x0B])

        let two = try config(Self.defs + """
            "client-classes": [
              { "name": "VENDOR_CLASS_1234", "option-data": [
                { "data": "1234", "name": "vivso-suboptions" },
                { "always-send": true, "code": 123, "data": "1", "space": "vendor-1234" },
                { "always-send": true, "code": 124, "data": "512", "space": "vendor-1234" } ] },
              { "name": "VENDOR_CLASS_5678", "option-data": [
                { "data": "5678", "name": "vivso-suboptions" },
                { "always-send": true, "code": 123, "data": "192.0.2.2", "space": "vendor-5678" },
                { "always-send": true, "code": 124, "data": "text", "space": "vendor-5678" } ] } ],
            """)
        for (vendor, block) in [("1234", Self.block1234), ("5678", Self.block5678)] {
            let r = try offer(two, [(Self.prl, [125]), (vci, Array(vendor.utf8))])
            XCTAssertEqual(r.options[125], block, vendor)
        }
        XCTAssertNil(try offer(two, [(Self.prl, [125]), (vci, Array("2222".utf8))]).options[125])
    }
}

/// Option 124's configured data is checked as Kea's `OptionVendorClass` reads it.
final class VendorClassOptionDataTests: XCTestCase {
    func encode(_ data: String, csv: Bool? = nil) throws -> [UInt8] {
        var spec = OptionDataSpec(position: SourcePosition(file: "v.conf", line: 1, column: 1))
        spec.name = "vivco-suboptions"
        spec.data = data
        spec.csvFormat = csv
        return try OptionDataEncoder.encode(spec).payload
    }

    /// Goal: well-formed data passes byte for byte (one item, or two items each after an
    /// enterprise number); a truncated item, a missing item, or a dangling enterprise number
    /// is refused with Kea's reason.
    func testVendorClassDataIsChecked() throws {
        XCTAssertEqual(try encode("1234, 03666f6f"), [0, 0, 4, 0xD2, 3, 0x66, 0x6F, 0x6F])
        XCTAssertEqual(try encode("000004D20161000004D20162", csv: false),
                       [0, 0, 4, 0xD2, 1, 0x61, 0, 0, 4, 0xD2, 1, 0x62])
        XCTAssertThrowsError(try encode("1234, 05666f")) { error in
            XCTAssertTrue("\(error)".contains("truncated"), "\(error)")
        }
        XCTAssertThrowsError(try encode("000004D2", csv: false)) { error in
            XCTAssertTrue("\(error)".contains("truncated to size 4"), "\(error)")
        }
        XCTAssertThrowsError(try encode("000004D20161000004D2", csv: false)) { error in
            XCTAssertTrue("\(error)".contains("enterprise id followed by opaque data"), "\(error)")
        }
    }
}

/// A client class's own `option-def` for option 43 (or a private code), as in forge's
/// `test_v4_options_vendor_encapsulated_*` cases: the class's option-data is encoded with it,
/// the global table is untouched, and other codes are refused with Kea's reason.
final class ClassOptionDefTests: XCTestCase {
    /// Decodes one class body (`option-def` and `option-data`) after the global `option-def`s.
    func decodeClass(_ body: String, globalDefs: String = "[]") throws -> (options: [ConfiguredOption], table: OptionTable) {
        var decoding = Dhcp4Decoding(optionEncoder: { spec, table in try OptionDataEncoder.encode(spec, table: table) })
        let globals = try KeaJSON.parse("{ \"option-def\": \(globalDefs) }", file: "g.conf", include: { _ in "" })
        try decoding.decodeOptionDefinitions(try XCTUnwrap(globals.members?.first?.value))
        let root = try KeaJSON.parse("{ \(body) }", file: "c.conf", include: { _ in "" })
        let members = try XCTUnwrap(root.members)
        let options = try decoding.decodeClassOptions(definitions: members.first { $0.key == "option-def" }?.value,
                                                      data: members.first { $0.key == "option-data" }?.value,
                                                      path: "Dhcp4/client-classes[0]")
        return (options, decoding.optionTable)
    }

    /// Goal: 43 redefined by a class as a string, as an address, and as a container of the
    /// class's own space gives forge's bytes; the decode's table keeps the last-resort 43.
    func testClassRedefinesOption43() throws {
        let mitel = try decodeClass("""
            "option-def": [ { "name": "vendor-encapsulated-options", "code": 43, "type": "string" } ],
            "option-data": [ { "name": "vendor-encapsulated-options", "data": "id:ipphone.mitel.com;sw_tftp=11.11.11.11" } ]
            """)
        XCTAssertEqual(mitel.options, [ConfiguredOption(code: 43, payload: Array("id:ipphone.mitel.com;sw_tftp=11.11.11.11".utf8))])
        XCTAssertEqual(mitel.table.definition(.dhcp4(43))?.encapsulatedSpace, .vendorEncapsulatedOptions)
        XCTAssertEqual(mitel.table.origin(of: .dhcp4(43)), .fallback)

        let unifi = try decodeClass("""
            "option-def": [ { "name": "vendor-encapsulated-options", "type": "ipv4-address", "code": 43 } ],
            "option-data": [ { "name": "vendor-encapsulated-options", "data": "192.0.2.11" } ]
            """)
        XCTAssertEqual(unifi.options.map(\.payload), [[0xC0, 0, 2, 0x0B]])

        // The space's own definitions are global (Kea: a class defines 43 only), as in forge's
        // iPXE/APC case.
        let apc = try decodeClass("""
            "option-def": [ { "name": "vendor-encapsulated-options", "code": 43, "type": "empty", "encapsulate": "APC" } ],
            "option-data": [ { "name": "cookie", "space": "APC", "data": "1APC" },
                             { "name": "vendor-encapsulated-options" } ]
            """, globalDefs: """
            [ { "name": "cookie", "code": 1, "space": "APC", "type": "string" } ]
            """)
        XCTAssertEqual(apc.options, [ConfiguredOption(code: 43, payload: [1, 4] + Array("1APC".utf8))])
    }

    /// Goal: a class may shadow a global definition of a private code for its own data.
    func testClassShadowsAGlobalPrivateDefinition() throws {
        let c = try decodeClass("""
            "option-def": [ { "name": "private-x", "code": 230, "type": "uint16" } ],
            "option-data": [ { "code": 230, "data": "513" } ]
            """, globalDefs: """
            [ { "name": "private-x", "code": 230, "type": "string" } ]
            """)
        XCTAssertEqual(c.options.map(\.payload), [[2, 1]])
        XCTAssertEqual(c.table.definition(.dhcp4(230))?.type, .string)
    }

    /// Goal: other codes, other spaces and duplicates are refused with Kea's reasons.
    func testClassDefinitionsOutsideKeasListAreRefused() {
        func failure(_ body: String) -> String? {
            do { _ = try decodeClass(body); return nil } catch { return (error as? ConfigError)?.message }
        }
        XCTAssertEqual(failure("""
            "option-def": [ { "name": "my-vci", "code": 60, "type": "string" } ]
            """), "Not allowed option definition for code '60' in space 'dhcp4' (c.conf:1:19)")
        XCTAssertEqual(failure("""
            "option-def": [ { "name": "sub", "code": 1, "space": "APC", "type": "string" } ]
            """), "Not allowed option definition for code '1' in space 'APC' (c.conf:1:19)")
        XCTAssertEqual(failure("""
            "option-def": [ { "name": "a", "code": 230, "type": "string" }, { "name": "b", "code": 230, "type": "string" } ]
            """), "option definition with code '230' already exists in option space 'dhcp4' (c.conf:1:67)")
    }

}
