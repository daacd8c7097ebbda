/// State of one Dhcp4 decode: the option encoder, the option table (the standard DHCPv4 table
/// plus the configuration's `option-def`s) and the warnings so far. Typed value reads, the
/// key-table habits and the shared sections come from `KeaConfigDecoding`.
struct Dhcp4Decoding: KeaOptionDecoding {
    let optionEncoder: (OptionDataSpec, OptionTable) throws -> ConfiguredOption
    var optionTable: OptionTable = .dhcp4
    var warnings: [ConfigWarning] = []
}
