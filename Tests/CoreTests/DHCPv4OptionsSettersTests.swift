import XCTest
@testable import KakapoCore

/// The array-free setters and the in-place reader of DHCPv4Options do what the subscript does.
final class DHCPv4OptionsSettersTests: XCTestCase {
    /// Goal: `set(_:u8:)`, `set(_:u32:)` and `set(_:address:)` leave the options equal to the
    /// subscript's, in the same order, replacing an earlier value of the code in its place; the
    /// encoded message is the same. Method: build both ways, with a replacement in the middle.
    func testSettersMatchTheSubscript() {
        var a = DHCPv4Options(), b = DHCPv4Options()
        a[DHCPv4Option.dhcpMessageType] = [5]
        b.set(DHCPv4Option.dhcpMessageType, u8: 5)
        a[DHCPv4Option.dhcpServerIdentifier] = [192, 0, 2, 1]
        b.set(DHCPv4Option.dhcpServerIdentifier, address: IPv4Address(192, 0, 2, 1))
        a[DHCPv4Option.dhcpLeaseTime] = [0x00, 0x01, 0x51, 0x80]
        b.set(DHCPv4Option.dhcpLeaseTime, u32: 86_400)
        a[DHCPv4Option.dhcpRenewalTime] = [0xFF, 0xFF, 0xFF, 0xFF]
        b.set(DHCPv4Option.dhcpRenewalTime, u32: UInt32.max)
        // Replacing keeps the option's place.
        a[DHCPv4Option.dhcpMessageType] = [2]
        b.set(DHCPv4Option.dhcpMessageType, u8: 2)
        XCTAssertEqual(a, b)
        XCTAssertEqual(b.entries.map(\.code), [53, 54, 51, 58])
        XCTAssertEqual(b[DHCPv4Option.dhcpLeaseTime], [0x00, 0x01, 0x51, 0x80])
        XCTAssertEqual(b.u32(DHCPv4Option.dhcpRenewalTime), UInt32.max)
        XCTAssertEqual(b.u8(DHCPv4Option.dhcpMessageType), 2)
        var ma = DHCPv4Message(), mb = DHCPv4Message()
        ma.options = a
        mb.options = b
        XCTAssertEqual(ma.encode(), mb.encode())
    }

    /// Goal: `data(_:)` gives the option's bytes as the subscript does (nil when absent), for
    /// decoded options (over the datagram) and built ones. Method: decode a message, compare.
    func testDataReadsInPlace() throws {
        var m = DHCPv4Message()
        m.options[DHCPv4Option.dhcpParameterRequestList] = [1, 3, 6, 15]
        m.options.set(DHCPv4Option.dhcpMessageType, u8: 1)
        let decoded = try DHCPv4Message.decode(m.encode()).get()
        for options in [m.options, decoded.options] {
            XCTAssertEqual(options.data(DHCPv4Option.dhcpParameterRequestList).map(Array.init), [1, 3, 6, 15])
            XCTAssertEqual(options.data(DHCPv4Option.dhcpMessageType).map(Array.init), [1])
            XCTAssertNil(options.data(DHCPv4Option.hostName))
            XCTAssertEqual(options.data(DHCPv4Option.dhcpParameterRequestList)?.contains(15), true)
        }
    }
}
