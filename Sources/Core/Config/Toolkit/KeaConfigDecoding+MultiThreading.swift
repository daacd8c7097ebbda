extension KeaConfigDecoding {
    /// `multi-threading`: `enable-multi-threading` is mandatory once the map is written; the
    /// sizes are checked as Kea's `MultiThreadingConfigParser` does.
    mutating func decodeMultiThreading(_ node: JSONNode, path: String) throws(ConfigError) -> MultiThreadingConfig {
        var result = MultiThreadingConfig()
        for member in try object(node) {
            switch member.key {
            case "enable-multi-threading": result.enabled = try bool(member.value)
            case "thread-pool-size": result.threadPoolSize = try queueOrPoolSize(member, name: "thread pool size")
            case "packet-queue-size": result.packetQueueSizeMax = try queueOrPoolSize(member, name: "packet queue size")
            default:
                if try annotation(member) { continue }
                try other(member, context: "multi-threading", path: path)
            }
        }
        _ = try require("enable-multi-threading", in: node, context: "multi-threading")
        return result
    }

    /// 0 (automatic, or unbounded) to 65535, in Kea's words; 0 becomes nil.
    private func queueOrPoolSize(_ member: JSONNode.Member, name: String) throws(ConfigError) -> UInt16? {
        let number = try integer(member.value)
        let position = member.value.position
        guard number >= 0 else {
            throw ConfigError.semantic(.outOfRange, "\(name) code must not be negative", at: position)
        }
        guard number <= Int64(UInt16.max) else {
            throw ConfigError.semantic(
                .outOfRange, "invalid \(name) '\(number)', it must not be greater than '\(UInt16.max)'", at: position)
        }
        return number == 0 ? nil : UInt16(number)
    }
}
