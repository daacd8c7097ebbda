/// The kinds of host identifier Kea 2.4's DHCPv4 server knows, under their config spellings.
/// The case order is Kea's identifier-type order, which `auto` in
/// `host-reservation-identifiers` expands to.
public enum HostIdentifierType: String, Sendable, CaseIterable, Hashable {
    case hwAddress = "hw-address"
    case duid = "duid"
    case circuitID = "circuit-id"
    case clientID = "client-id"
    case flexID = "flex-id"

    /// Kea 2.4's DHCPv4 default `host-reservation-identifiers` (flex-id needs its hook).
    public static let defaultOrder4: [HostIdentifierType] = [.hwAddress, .duid, .circuitID, .clientID]
}

/// What a host reservation is keyed by: a hardware address (matched against chaddr), a DUID
/// (inside an RFC 4361 client identifier), a relay's circuit-id (option 82 sub-option 1), a
/// client identifier (option 61), or a flex-id (computed by Kea's flex_id hook).
public enum HostIdentifier: Sendable, Hashable, CustomStringConvertible {
    case hwAddress(HardwareAddress)
    case duid([UInt8])
    case circuitID([UInt8])
    case clientID([UInt8])
    case flexID([UInt8])

    public var type: HostIdentifierType {
        switch self {
        case .hwAddress: .hwAddress
        case .duid: .duid
        case .circuitID: .circuitID
        case .clientID: .clientID
        case .flexID: .flexID
        }
    }

    /// The identifier's bytes (a hardware address without its type).
    public var bytes: [UInt8] {
        switch self {
        case .hwAddress(let h): h.bytes
        case .duid(let b), .circuitID(let b), .clientID(let b), .flexID(let b): b
        }
    }

    /// "hw-address=02:00:00:00:00:07", as an operator would write it.
    public var description: String { "\(type.rawValue)=\(HexText.colonSeparated(bytes))" }
}

/// The identifiers a DHCPv4 query offers for host lookups, read once per exchange.
struct ClientIdentifiers4 {
    var hardwareAddress: HardwareAddress
    var clientID: [UInt8]?
    /// The DUID of an RFC 4361 client identifier: option 61 = 255, IAID (4 bytes), DUID.
    var duid: [UInt8]?
    /// Option 82 sub-option 1.
    var circuitID: [UInt8]?
    /// The value of libdhcp_flex_id.so's identifier expression, when the hook is loaded and
    /// the value is not empty.
    var flexID: [UInt8]?

    init(hardwareAddress: HardwareAddress, clientID: [UInt8]?, relayAgentInformation: [UInt8]?) {
        self.hardwareAddress = hardwareAddress
        self.clientID = clientID
        if let c = clientID, c.count > 5, c[0] == 255 { duid = Array(c[5...]) }
        if let rai = relayAgentInformation { circuitID = Self.subOption(1, in: rai) }
    }

    /// The first sub-option `code` of option 82 with a non-empty value.
    static func subOption(_ code: UInt8, in rai: [UInt8]) -> [UInt8]? {
        SubOptions.first(code, in: rai[...], where: { !$0.isEmpty }).map { Array($0) }
    }

    /// The query's identifier of `type`, if it has one (never a flex-id: that needs the hook).
    func identifier(_ type: HostIdentifierType) -> HostIdentifier? {
        switch type {
        case .hwAddress: hardwareAddress.isEmpty ? nil : .hwAddress(hardwareAddress)
        case .duid: duid.map { .duid($0) }
        case .circuitID: circuitID.map { .circuitID($0) }
        case .clientID: clientID.flatMap { $0.isEmpty ? nil : .clientID($0) }
        case .flexID: flexID.map { .flexID($0) }
        }
    }

    /// Whether the query carries `id` (hardware addresses compare by bytes, as Kea's host
    /// lookup does for chaddr).
    func matches(_ id: HostIdentifier) -> Bool {
        switch id {
        case .hwAddress(let h): !h.isEmpty && h.bytes == hardwareAddress.bytes
        case .duid(let d): duid == d
        case .circuitID(let c): circuitID == c
        case .clientID(let c): clientID == c
        case .flexID(let f): flexID == f
        }
    }
}
