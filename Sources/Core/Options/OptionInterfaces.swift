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
    public init(position: SourcePosition) { self.position = position }
}

/// An option ready to go on the wire: code and encoded payload (without code/length bytes).
public struct ConfiguredOption: Sendable, Equatable {
    public var code: UInt8
    public var payload: [UInt8]
    public var alwaysSend: Bool
    public var neverSend: Bool
    public init(code: UInt8, payload: [UInt8], alwaysSend: Bool = false, neverSend: Bool = false) {
        self.code = code
        self.payload = payload
        self.alwaysSend = alwaysSend
        self.neverSend = neverSend
    }
}
