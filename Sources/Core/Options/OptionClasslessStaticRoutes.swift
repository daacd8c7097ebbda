/// Option 121, classless static routes (RFC 3442), in Kea's "convenient notation":
/// "192.0.2.0/24 - 198.51.100.1, 10.0.0.0/8 - 198.51.100.2". On the wire each route is the prefix
/// width, the `(width + 7) / 8` significant octets of the destination, and the router address.
/// Follows Kea's `OptionClasslessStaticRoute` and its messages.
enum OptionClasslessStaticRoutes {
    /// One route: packets for `destination` go through `router`.
    struct Route: Equatable {
        var destination: IPv4Prefix
        var router: IPv4Address
    }

    private static let prefix = "DHCPv4 OptionClasslessStaticRoute 121"
    /// The shortest route on the wire: a zero width octet and a router address.
    static let routeOctetsMin = 5

    /// The payload for the comma-separated routes (each value already split off by the CSV rules).
    static func encode(_ values: [String]) throws(OptionValueError) -> [UInt8] {
        let textLength = values.reduce(0) { $0 + $1.utf8.count }
        guard textLength >= routeOctetsMin else {
            throw OptionValueError("\(prefix) has invalid length=\(textLength), must be at least \(routeOctetsMin).")
        }
        var payload: [UInt8] = []
        for value in values {
            let route = try parseRoute(OptionDataText.trim(value))
            payload.append(UInt8(route.destination.length))
            let significant = (route.destination.length + 7) / 8
            payload.append(contentsOf: route.destination.network.bytes.prefix(significant))
            payload.append(contentsOf: route.router.bytes)
        }
        return payload
    }

    /// "prefix/width - router". The destination's host bits are cleared, as RFC 3442 requires
    /// (Kea sends the significant octets as written).
    private static func parseRoute(_ text: String) throws(OptionValueError) -> Route {
        let parts = text.split(separator: "-").map { String($0) }
        guard parts.count == 2 else {
            throw OptionValueError("\(prefix) has invalid value, option definition must have comma "
                                   + "separated routes formatted as in example: 10.229.0.128/25 - 10.229.0.1")
        }
        let destinationText = OptionDataText.trim(parts[0])
        let pieces = destinationText.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard pieces.count == 2 else {
            throw OptionValueError("\(prefix) has invalid value, provided IPv4 prefix \(destinationText) is not valid.")
        }
        guard let network = IPv4Address(pieces[0]) else {
            throw OptionValueError("\(prefix) has invalid value, provided subnet_addr \(pieces[0]) "
                                   + "is not a valid IPv4 address.")
        }
        guard let width = Int(pieces[1]), (0...32).contains(width) else {
            throw OptionValueError("\(prefix) has invalid value, provided prefix len \(pieces[1]) is not valid. "
                                   + "Error: Provided IPv4 prefix len is out of 0-32 range.")
        }
        let routerText = OptionDataText.trim(parts[1])
        guard let router = IPv4Address(routerText) else {
            throw OptionValueError("\(prefix) has invalid value, provided router address \(routerText) "
                                   + "is not a valid IPv4 address.")
        }
        return Route(destination: IPv4Prefix(network: network, length: width), router: router)
    }

    /// The routes of a payload, with Kea's checks (at least one route, width at most 32,
    /// nothing truncated).
    static func decode(_ payload: [UInt8]) throws(OptionValueError) -> [Route] {
        guard payload.count >= routeOctetsMin else {
            throw OptionValueError("\(prefix) has invalid length=\(payload.count), must be at least \(routeOctetsMin).")
        }
        var reader = OptionPayloadReader(payload)
        var routes: [Route] = []
        // Bounded: every pass consumes at least five octets or throws.
        while !reader.isAtEnd {
            guard reader.remaining >= routeOctetsMin, let width = reader.u8() else {
                throw OptionValueError("\(prefix) has invalid length=\(reader.remaining), must be at least \(routeOctetsMin).")
            }
            guard width <= 32 else {
                throw OptionValueError("\(prefix) has invalid value, provided width of subnet mask \(width) is not valid.")
            }
            let significant = (Int(width) + 7) / 8
            guard let octets = reader.take(significant), let router = reader.unsigned(octets: 4) else {
                throw OptionValueError("\(prefix) is truncated.")
            }
            let padded = Array(octets) + Array(repeating: 0, count: 4 - significant)
            let destination = IPv4Prefix(network: IPv4Address(bytes: padded), length: Int(width))
            routes.append(Route(destination: destination, router: IPv4Address(router)))
        }
        return routes
    }

    /// Kea's convenient notation for decoded routes.
    static func text(_ routes: [Route]) -> String {
        routes.map { "\($0.destination) - \($0.router)" }.joined(separator: ", ")
    }
}
