import Glibc
import CShim
import KakapoCore

/// A network interface as the OS reports it.
public struct SystemInterface: Sendable {
    public var name: String
    public var index: Int32
    public var macAddress: [UInt8]
    public var addresses: [InterfaceAddress]
    public var isUp: Bool
    public var isLoopback: Bool

    public var info: InterfaceInfo { InterfaceInfo(name: name, index: index, addresses: addresses) }
}

public enum Interfaces {
    /// All interfaces with their IPv4 and IPv6 addresses and MAC, from getifaddrs(3).
    public static func discover() -> [SystemInterface] {
        var head: UnsafeMutablePointer<ifaddrs>? = nil
        guard getifaddrs(&head) == 0, let first = head else { return [] }
        defer { freeifaddrs(head) }
        var byName: [String: SystemInterface] = [:]
        var order: [String] = []
        var p: UnsafeMutablePointer<ifaddrs>? = first
        while let ifa = p {
            defer { p = ifa.pointee.ifa_next }
            let name = String(cString: ifa.pointee.ifa_name)
            if byName[name] == nil {
                let flags = Int32(bitPattern: ifa.pointee.ifa_flags)
                byName[name] = SystemInterface(name: name, index: Int32(if_nametoindex(name)), macAddress: [],
                                               addresses: [], isUp: flags & Int32(kakapo_iff_up()) != 0,
                                               isLoopback: flags & Int32(kakapo_iff_loopback()) != 0)
                order.append(name)
            }
            guard let sa = ifa.pointee.ifa_addr else { continue }
            switch Int32(sa.pointee.sa_family) {
            case AF_INET:
                let addr = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                var plen = 32
                if let nm = ifa.pointee.ifa_netmask {
                    let m = nm.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
                    plen = m.nonzeroBitCount
                }
                byName[name]!.addresses.append(InterfaceAddress(address: IPv4Address(UInt32(bigEndian: addr)), prefixLength: plen))
            case AF_INET6:
                let bytes = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                    withUnsafeBytes(of: p.pointee.sin6_addr) { Array($0) }
                }
                var plen = 128
                if let nm = ifa.pointee.ifa_netmask {
                    plen = nm.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                        withUnsafeBytes(of: p.pointee.sin6_addr) { $0.reduce(0) { $0 + $1.nonzeroBitCount } }
                    }
                }
                byName[name]!.addresses.append(InterfaceAddress(address: .v6(IPv6Address(bytes: bytes)), prefixLength: plen))
            case AF_PACKET:
                let mac = sa.withMemoryRebound(to: sockaddr_ll.self, capacity: 1) { ll -> [UInt8] in
                    let n = Int(ll.pointee.sll_halen)
                    return withUnsafeBytes(of: ll.pointee.sll_addr) { Array($0.prefix(min(n, 8))) }
                }
                byName[name]!.macAddress = mac
            default:
                break
            }
        }
        return order.compactMap { byName[$0] }
    }
}
