/// How addresses are picked and renewals answered, at global or subnet level (Kea 2.4's
/// `allocator`, `cache-threshold`, `cache-max-age`). At subnet level nil inherits.
public struct AllocationSettings: Sendable, Equatable {
    /// Kea's address allocators for DHCPv4 (`flq` is refused, as Kea 2.4 refuses it here).
    public enum Allocator: String, Sendable, CaseIterable {
        /// Walk the pools from where the last allocation stopped.
        case iterative
        /// Pick addresses at random (from the engine's seeded generator).
        case random
    }

    public var allocator: Allocator?
    /// `cache-threshold`: a renewal is answered from the lease while its age is below this
    /// fraction of the valid lifetime (strictly between 0 and 1).
    public var cacheThreshold: Double?
    /// `cache-max-age`: a renewal is answered from the lease while its age is at most this
    /// many seconds (0 disables the cache).
    public var cacheMaxAgeSeconds: UInt32?

    public init(allocator: Allocator? = nil, cacheThreshold: Double? = nil, cacheMaxAgeSeconds: UInt32? = nil) {
        self.allocator = allocator
        self.cacheThreshold = cacheThreshold
        self.cacheMaxAgeSeconds = cacheMaxAgeSeconds
    }

    /// Fields set here win; unset fields come from `parent`.
    public func inheriting(from parent: AllocationSettings) -> AllocationSettings {
        AllocationSettings(allocator: allocator ?? parent.allocator,
                           cacheThreshold: cacheThreshold ?? parent.cacheThreshold,
                           cacheMaxAgeSeconds: cacheMaxAgeSeconds ?? parent.cacheMaxAgeSeconds)
    }
}

// Shared networks take the same keys; the decoder folds a network's settings into its subnets
// (subnet, else network), and the global ones apply at run time (`Dhcp4Engine.allocation(for:)`).
extension Dhcp4Decoding {
    /// Decodes one of the allocation keys into `settings`; false for any other key.
    func decodeAllocationKey(_ member: JSONNode.Member, into settings: inout AllocationSettings) throws(ConfigError) -> Bool {
        switch member.key {
        case "allocator":
            let name = try string(member.value)
            guard let allocator = AllocationSettings.Allocator(rawValue: name) else {
                // Kea 2.4's BaseNetworkParser::parseAllocatorParams (flq included: it is for
                // DHCPv6 prefixes only).
                throw ConfigError.semantic(.invalidValue, "supported allocators are: iterative and random", at: member.value.position)
            }
            settings.allocator = allocator
        case "cache-threshold":
            let threshold = try real(member.value)
            guard threshold > 0, threshold < 1 else {
                throw ConfigError.semantic(
                    .outOfRange, "cache-threshold: \(KeaText.number(threshold)) is invalid, it must be greater than 0.0 and less than 1.0",
                    at: member.value.position)
            }
            settings.cacheThreshold = threshold
        case "cache-max-age":
            settings.cacheMaxAgeSeconds = try uint32(member)
        default:
            return false
        }
        return true
    }
}
