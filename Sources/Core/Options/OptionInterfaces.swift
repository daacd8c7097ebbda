/// An `option-data` entry as written in the config, before it is encoded.
public struct OptionDataSpec: Sendable, Equatable {
    public var name: String?
    public var code: Int?
    public var space: String = "dhcp4"
    public var data: String?
    public var csvFormat: Bool?
    public var alwaysSend: Bool = false
    public var neverSend: Bool = false
    public var position: SourcePosition
    /// Where `name` (else `code`) is written: Kea's "does not exist" error points there.
    public var namePosition: SourcePosition?
    public init(position: SourcePosition) { self.position = position }
}

/// An option ready to go on the wire: code and encoded payload (without code/length bytes).
///
/// Most are options of the top-level `dhcp4` space (`enterprise` nil). An `option-data` entry of
/// a vendor space (`vendor-<enterprise>`) is kept in the same list with `enterprise` set: `code`
/// is then its code in that space, and the reply puts it inside option 125 for that vendor
/// (`Dhcp4Engine.addVendorOptions`). Readers looking for a `dhcp4` option by code skip those.
public struct ConfiguredOption: Sendable, Equatable {
    public var code: UInt8
    public var payload: [UInt8]
    public var alwaysSend: Bool
    public var neverSend: Bool
    /// The enterprise number of the vendor space the option belongs to, or nil for `dhcp4`.
    public var enterprise: UInt32?
    public init(code: UInt8, payload: [UInt8], alwaysSend: Bool = false, neverSend: Bool = false,
                enterprise: UInt32? = nil) {
        self.code = code
        self.payload = payload
        self.alwaysSend = alwaysSend
        self.neverSend = neverSend
        self.enterprise = enterprise
    }
}

/// A DHCPv6 option ready to go on the wire: a two-octet code and the encoded payload (without
/// code and length), with any sub-options of the spaces it encapsulates already appended.
public struct ConfiguredOption6: Sendable, Equatable {
    public var code: UInt16
    public var payload: [UInt8]
    public var alwaysSend: Bool
    public var neverSend: Bool
    /// For an option of a `vendor-<enterprise>` space (a sub-option of option 17): that
    /// enterprise number; nil for a `dhcp6` option.
    public var enterprise: UInt32?
    public init(code: UInt16, payload: [UInt8], alwaysSend: Bool = false, neverSend: Bool = false,
                enterprise: UInt32? = nil) {
        self.code = code
        self.payload = payload
        self.alwaysSend = alwaysSend
        self.neverSend = neverSend
        self.enterprise = enterprise
    }
}
