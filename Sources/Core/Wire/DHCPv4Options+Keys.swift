/// Reads and writes of `DHCPv4Options` by `DHCPv4Option` key, so that the protocol logic names
/// options by their table-checked keys rather than by numbers. Each forwards to the code-indexed
/// method with the key's constant octet: no lookup, no allocation beyond the original's.
extension DHCPv4Options {
    public subscript(option: DHCPv4Option) -> [UInt8]? {
        @inline(__always) get { self[option.code] }
        @inline(__always) set { self[option.code] = newValue }
    }

    /// An option's data in place (no copy), nil when absent.
    @inline(__always) public func data(_ option: DHCPv4Option) -> ArraySlice<UInt8>? { data(option.code) }

    /// Sets a one-octet option.
    @inline(__always) public mutating func set(_ option: DHCPv4Option, u8 v: UInt8) { set(option.code, u8: v) }

    /// Sets a four-octet option, network byte order.
    @inline(__always) public mutating func set(_ option: DHCPv4Option, u32 v: UInt32) { set(option.code, u32: v) }

    /// Sets a four-octet option to an address.
    @inline(__always) public mutating func set(_ option: DHCPv4Option, address a: IPv4Address) { set(option.code, u32: a.value) }

    @inline(__always) public func contains(_ option: DHCPv4Option) -> Bool { contains(option.code) }

    /// Length of an option's data, nil when absent.
    @inline(__always) public func length(_ option: DHCPv4Option) -> Int? { length(option.code) }

    /// A one-octet option's value.
    @inline(__always) public func u8(_ option: DHCPv4Option) -> UInt8? { u8(option.code) }

    /// A two-octet option's value, network byte order.
    @inline(__always) public func u16(_ option: DHCPv4Option) -> UInt16? { u16(option.code) }

    /// A four-octet option's value, network byte order.
    @inline(__always) public func u32(_ option: DHCPv4Option) -> UInt32? { u32(option.code) }

    /// A four-octet option as an address.
    @inline(__always) public func address(_ option: DHCPv4Option) -> IPv4Address? { address(option.code) }

    /// Whether the option's data is exactly `bytes`.
    @inline(__always) public func has(_ option: DHCPv4Option, equalTo bytes: [UInt8]) -> Bool {
        has(option.code, equalTo: bytes)
    }
}
