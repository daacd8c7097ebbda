/// State of one Dhcp4 decode: the option encoder and the warnings so far. Typed value reads,
/// the key-table habits and the shared sections come from `KeaConfigDecoding`.
struct Dhcp4Decoding: KeaConfigDecoding {
    let optionEncoder: (OptionDataSpec) throws -> ConfiguredOption
    var warnings: [ConfigWarning] = []
}
