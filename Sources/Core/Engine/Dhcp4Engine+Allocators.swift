/// The engine's only randomness: SplitMix64 over a seed the shell injects, so that the same
/// seed and inputs give the same decisions (the simulator passes its scenario seed, the daemon
/// a seed from the kernel).
struct EngineRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound (bound > 0), without modulo bias (Lemire's method).
    mutating func below(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return product.high
    }
}

extension Dhcp4Engine {
    /// Seeds the random allocator's generator. Shells call it once after building the engine
    /// (a reconfiguration keeps the generator going); without it the seed is 0.
    public mutating func seedRandomness(_ seed: UInt64) {
        random = EngineRandom(seed: seed)
    }

    /// The allocation settings in force for `subnet`: its own, else the global ones.
    func allocation(for subnet: Subnet4) -> AllocationSettings {
        subnet.allocation.inheriting(from: config.allocation)
    }

    /// A free address from the subnet's pools, by the subnet's allocator.
    mutating func allocateFree(_ x: Exchange, subnet: Subnet4) -> (IPv4Address, Pool4)? {
        switch allocation(for: subnet).allocator ?? .iterative {
        case .iterative: nextFreeAddress(x, subnet: subnet)
        case .random: randomFreeAddress(x, subnet: subnet)
        }
    }

    /// How many addresses the random allocator draws before it sweeps.
    static var randomProbes: UInt64 { 32 }

    /// Kea's random allocator: addresses drawn uniformly from the pools the client may use.
    /// Bounded: after `randomProbes` draws that hit taken addresses it sweeps every address
    /// once from a random start, so the last free address is still found.
    mutating func randomFreeAddress(_ x: Exchange, subnet: Subnet4) -> (IPv4Address, Pool4)? {
        let pools = subnet.pools.filter { admits($0, x) }
        let total = pools.reduce(UInt64(0)) { $0 + $1.size }
        guard total > 0 else { return nil }
        /// The address at `index` of the pools laid end to end.
        func address(at index: UInt64) -> (IPv4Address, Pool4) {
            var k = index
            for p in pools {
                if k < p.size { return (IPv4Address(p.first.value &+ UInt32(k)), p) }
                k -= p.size
            }
            preconditionFailure("index \(index) beyond \(total) pool addresses")
        }
        func usable(_ a: IPv4Address) -> Bool {
            !excludedFirstLast24(a, subnet) && isAvailable(a, for: x, subnet: subnet)
        }
        for _ in 0..<min(total, Self.randomProbes) {
            let candidate = address(at: random.below(total))
            if usable(candidate.0) { return candidate }
        }
        let start = random.below(total)
        for step in 0..<total {
            let candidate = address(at: (start + step) % total)
            if usable(candidate.0) { return candidate }
        }
        return nil
    }
}
