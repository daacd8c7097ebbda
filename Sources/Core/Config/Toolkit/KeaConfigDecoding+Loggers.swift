/// `loggers`, the same in every Kea daemon.
extension KeaConfigDecoding {
    mutating func decodeLoggers(_ node: JSONNode, path: String) throws(ConfigError) -> [LoggerConfig] {
        var result: [LoggerConfig] = []
        for entry in try array(node) {
            let entryPath = "\(path)[\(result.count)]"
            var logger = LoggerConfig(name: "")
            var outputsSeen = false
            for member in try object(entry) {
                switch member.key {
                case "name": logger.name = try string(member.value)
                case "severity": logger.severity = try severity(member)
                case "debuglevel": logger.debugLevel = Int(try integer(member, in: 0...99))
                // Kea 2.4 spells it output_options; later versions also accept output-options.
                case "output_options", "output-options":
                    guard !outputsSeen else {
                        throw ConfigError(
                            code: .duplicate,
                            message: "\(member.keySpan.start): duplicate output-options entries in loggers map",
                            position: member.keySpan.start)
                    }
                    outputsSeen = true
                    logger.outputs = try decodeOutputs(member.value, path: entryPath)
                default:
                    if try annotation(member) { continue }
                    try other(member, context: "loggers", path: entryPath)
                }
            }
            _ = try require("name", in: entry, context: "loggers")
            result.append(logger)
        }
        return result
    }

    private func severity(_ member: JSONNode.Member) throws(ConfigError) -> LoggerConfig.Severity {
        let text = try string(member.value)
        guard let severity = LoggerConfig.Severity(rawValue: KeaText.uppercased(text)) else {
            throw ConfigError.semantic(
                .invalidValue, "unknown severity '\(text)': expected FATAL, ERROR, WARN, INFO, DEBUG or NONE",
                at: member.value.position)
        }
        return severity
    }

    private mutating func decodeOutputs(_ node: JSONNode, path: String) throws(ConfigError) -> [LoggerConfig.Output] {
        var result: [LoggerConfig.Output] = []
        for entry in try array(node) {
            var output = LoggerConfig.Output(output: "")
            for member in try object(entry) {
                switch member.key {
                case "output": output.output = try string(member.value)
                case "pattern": output.pattern = try string(member.value)
                case "flush": output.flush = try bool(member.value)
                case "maxsize": output.maxSizeBytes = UInt64(try integer(member, in: 0...Int64.max))
                case "maxver": output.maxVersions = try uint32(member)
                default: try other(member, context: "output-options", path: "\(path)/output-options[\(result.count)]")
                }
            }
            guard entry.member("output") != nil else {
                throw ConfigError.semantic(
                    .missingKey, "output_options entry does not have a mandatory 'output' element", at: entry.position)
            }
            result.append(output)
        }
        return result
    }
}
