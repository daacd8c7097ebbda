/// Typed reads of the options RFC 8415 defines. Absent options read as nil (or empty, or
/// false); a present option that does not parse throws the decoder's error. A message that
/// `DHCPv6Message.decode` accepted has already had these options checked, so on the packet path
/// only `userClasses` can still throw.
extension DHCPv6Options {
    /// Client Identifier (1): the client's DUID, raw.
    public var clientID: [UInt8]? { self[.clientid] }

    /// Server Identifier (2): the server's DUID, raw.
    public var serverID: [UInt8]? { self[.serverid] }

    /// Every IA_NA (3), in wire order.
    public func iaNAs() throws(DHCPv6DecodeError) -> [DHCPv6IA] {
        try all(.iaNa).map { (d) throws(DHCPv6DecodeError) in try DHCPv6IA.parse(d, code: DHCPv6Option.iaNa.code) }
    }

    /// Every IA_TA (4), in wire order.
    public func iaTAs() throws(DHCPv6DecodeError) -> [DHCPv6TemporaryIA] {
        try all(.iaTa).map { (d) throws(DHCPv6DecodeError) in try DHCPv6TemporaryIA.parse(d) }
    }

    /// Every IA_PD (25), in wire order.
    public func iaPDs() throws(DHCPv6DecodeError) -> [DHCPv6IA] {
        try all(.iaPd).map { (d) throws(DHCPv6DecodeError) in try DHCPv6IA.parse(d, code: DHCPv6Option.iaPd.code) }
    }

    /// Option Request (6): the requested option codes, or nil when absent.
    public func requestedOptions() throws(DHCPv6DecodeError) -> [UInt16]? {
        guard let data = self[.oro] else { return nil }
        guard data.count % 2 == 0 else { throw .badOptionLength(code: DHCPv6Option.oro.code, length: data.count) }
        return stride(from: 0, to: data.count, by: 2).map { UInt16(data[$0]) << 8 | UInt16(data[$0 + 1]) }
    }

    /// Preference (7).
    public func preference() throws(DHCPv6DecodeError) -> UInt8? { try fixed(.preference, 1).map { $0[0] } }

    /// Elapsed Time (8), in hundredths of a second.
    public func elapsedTimeHundredths() throws(DHCPv6DecodeError) -> UInt16? {
        try fixed(.elapsedTime, 2).map { UInt16($0[0]) << 8 | UInt16($0[1]) }
    }

    /// Relay Message (9) data, raw (a decoded relay message holds it as `relayedMessage`).
    public var relayMessage: [UInt8]? { self[.relayMsg] }

    /// Server Unicast (12).
    public func unicast() throws(DHCPv6DecodeError) -> IPv6Address? { try fixed(.unicast, 16).map { IPv6Address(bytes: $0) } }

    /// Status Code (13) at this level.
    public func status() throws(DHCPv6DecodeError) -> DHCPv6Status? {
        try self[.statusCode].map { (d) throws(DHCPv6DecodeError) in try DHCPv6Status.parse(d) }
    }

    /// Rapid Commit (14) is present.
    public var rapidCommit: Bool { contains(.rapidCommit) }

    /// User Class (15): its opaque-data items, or nil when absent.
    public func userClasses() throws(DHCPv6DecodeError) -> [[UInt8]]? {
        try self[.userClass].map { (d) throws(DHCPv6DecodeError) in try DHCPv6OpaqueData.items(d, code: DHCPv6Option.userClass.code) }
    }

    /// Every Vendor Class (16), one per enterprise.
    public func vendorClasses() throws(DHCPv6DecodeError) -> [DHCPv6VendorData] {
        try all(.vendorClass).map { (d) throws(DHCPv6DecodeError) in try DHCPv6VendorData.parse(d, code: DHCPv6Option.vendorClass.code) }
    }

    /// Every Vendor-specific Information option (17), one per enterprise.
    public func vendorOptions() throws(DHCPv6DecodeError) -> [DHCPv6VendorData] {
        try all(.vendorOpts).map { (d) throws(DHCPv6DecodeError) in try DHCPv6VendorData.parse(d, code: DHCPv6Option.vendorOpts.code) }
    }

    /// Interface-Id (18), raw.
    public var interfaceID: [UInt8]? { self[.interfaceId] }

    /// Reconfigure Message (19): the message type the client is to send.
    public func reconfigureMessageType() throws(DHCPv6DecodeError) -> DHCPv6MessageType? {
        try fixed(.reconfMsg, 1).map { DHCPv6MessageType(code: $0[0]) }
    }

    /// Reconfigure Accept (20) is present.
    public var reconfigureAccept: Bool { contains(.reconfAccept) }

    /// Client FQDN (39), raw (flags and a wire-format name; RFC 4704).
    public var clientFQDN: [UInt8]? { self[.clientFqdn] }

    private func fixed(_ option: DHCPv6Option, _ length: Int) throws(DHCPv6DecodeError) -> [UInt8]? {
        guard let data = self[option] else { return nil }
        guard data.count == length else { throw .badOptionLength(code: option.code, length: data.count) }
        return data
    }
}

/// Typed writes, the counterparts of the reads above.
extension DHCPv6Options {
    public mutating func append(iaNA ia: DHCPv6IA) { append(.iaNa, ia.data) }
    public mutating func append(iaPD ia: DHCPv6IA) { append(.iaPd, ia.data) }
    public mutating func append(iaTA ia: DHCPv6TemporaryIA) { append(.iaTa, ia.data) }
    public mutating func append(_ address: DHCPv6IAAddress) { append(.iaaddr, address.data) }
    public mutating func append(_ prefix: DHCPv6IAPrefix) { append(.iaprefix, prefix.data) }
    public mutating func append(_ status: DHCPv6Status) { append(.statusCode, status.data) }

    public mutating func append(requestedOptions codes: [UInt16]) {
        var data: [UInt8] = []
        for code in codes { data.appendU16(code) }
        append(.oro, data)
    }

    public mutating func append(elapsedTimeHundredths value: UInt16) {
        var data: [UInt8] = []
        data.appendU16(value)
        append(.elapsedTime, data)
    }
}
