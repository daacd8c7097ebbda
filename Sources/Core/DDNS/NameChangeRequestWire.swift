/// Kea's name-change request wire format between the DHCP servers and the DHCP-DDNS daemon
/// (`ncr-protocol` UDP, `ncr-format` JSON): a two-octet length in network order, then one JSON
/// object with Kea's keys in Kea's order:
///
///     {"change-type":0,"forward-change":true,"reverse-change":false,"fqdn":"host.example.org.",
///      "ip-address":"192.0.2.10","dhcid":"0001013A...","lease-expires-on":"20261130081500",
///      "lease-length":3600,"use-conflict-resolution":true}
extension NameChangeRequest {
    /// The JSON text (Kea's `NameChangeRequest::toJSON`): the DHCID in upper-case hex, the
    /// expiry as YYYYMMDDHHMMSS in UTC.
    public var jsonText: String {
        var s = "{\"change-type\":\(changeType.rawValue),"
        s += "\"forward-change\":\(forward),\"reverse-change\":\(reverse),"
        s += "\"fqdn\":\(JSON.string(fqdn).serialized()),"
        s += "\"ip-address\":\"\(address)\","
        s += "\"dhcid\":\"\(Self.hex(dhcid))\","
        s += "\"lease-expires-on\":\"\(leaseExpiresOn.compactUTC)\","
        s += "\"lease-length\":\(leaseLengthSeconds),"
        s += "\"use-conflict-resolution\":\(useConflictResolution)}"
        return s
    }

    /// The datagram: length prefix, then the JSON text.
    public var wire: [UInt8] {
        let body = Array(jsonText.utf8)
        return [UInt8(body.count >> 8 & 0xFF), UInt8(body.count & 0xFF)] + body
    }

    /// Reads a datagram (length prefix and JSON). The length must match the datagram.
    public static func decode(wire: [UInt8]) -> Result<NameChangeRequest, NCRError> {
        guard wire.count >= 2 else { return .failure(NCRError("datagram shorter than its length prefix")) }
        let length = Int(wire[0]) << 8 | Int(wire[1])
        guard length == wire.count - 2 else {
            return .failure(NCRError("length prefix \(length) does not match the \(wire.count - 2) octets that follow"))
        }
        return decode(json: String(decoding: wire[2...], as: UTF8.self))
    }

    /// Reads the JSON object with Kea's checks and messages (`NameChangeRequest::fromJSON`).
    public static func decode(json text: String) -> Result<NameChangeRequest, NCRError> {
        let node: JSONNode
        do { node = try KeaJSON.parse(text, file: "<ncr>", include: { _ throws -> String in throw NCRError("no includes") }) } catch {
            return .failure(NCRError("Malformed NameChangeRequest JSON: \(error.message)"))
        }
        guard case .object(let members) = node.plain else {
            return .failure(NCRError("Malformed NameChangeRequest JSON: not a map"))
        }
        func element(_ key: String) throws(NCRError) -> JSON {
            guard let v = members[key] else { throw NCRError("NameChangeRequest value for element: \(key) is missing") }
            return v
        }
        func bool(_ key: String) throws(NCRError) -> Bool {
            guard let b = try element(key).boolValue else { throw NCRError("Wrong data type for element: \(key): expected a boolean") }
            return b
        }
        do throws(NCRError) {
            guard let ct = try element("change-type").intValue, let changeType = ChangeType(rawValue: Int(ct)) else {
                throw NCRError("Invalid data value for change type: must be 0 (add) or 1 (remove)")
            }
            let forward = try bool("forward-change"), reverse = try bool("reverse-change")
            guard forward || reverse else {
                throw NCRError("Invalid Request, forward and reverse flags are both false")
            }
            guard let fqdn = try element("fqdn").stringValue, !fqdn.isEmpty else {
                throw NCRError("Invalid data value for FQDN: must be a non-empty string")
            }
            guard let name = try? DNSName(fqdn) else { throw NCRError("Invalid FQDN value: \(fqdn)") }
            guard let address = try element("ip-address").stringValue,
                  IPv4Address(address) != nil || IPv6Address(address) != nil else {
                throw NCRError("Invalid ip address string for ip_address: \(members["ip-address"]?.stringValue ?? "")")
            }
            guard let hex = try element("dhcid").stringValue, let dhcid = Self.bytes(hex: hex), !dhcid.isEmpty else {
                throw NCRError("Invalid data for DHCID: not a hex string")
            }
            guard let expiresText = try element("lease-expires-on").stringValue,
                  let expires = WallTime(compactUTC: expiresText) else {
                throw NCRError("Invalid date-time string: \(members["lease-expires-on"]?.stringValue ?? "")")
            }
            guard let length = try element("lease-length").intValue, length >= 0, length <= Int64(UInt32.max) else {
                throw NCRError("Invalid data value for lease length")
            }
            var conflict = true
            if let c = members["use-conflict-resolution"] {
                guard let b = c.boolValue else { throw NCRError("Wrong data type for element: use-conflict-resolution: expected a boolean") }
                conflict = b
            }
            // Kea keeps the FQDN fully qualified, in lower case.
            return .success(NameChangeRequest(changeType: changeType, forward: forward, reverse: reverse,
                                              fqdn: name.lowercased.description, address: address, dhcid: dhcid,
                                              leaseExpiresOn: expires, leaseLengthSeconds: UInt32(length),
                                              useConflictResolution: conflict))
        } catch {
            return .failure(error)
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func bytes(hex: String) -> [UInt8]? {
        let u = Array(hex.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var i = 0
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 65...70: c - 55
            case 97...102: c - 87
            default: nil
            }
        }
        while i < u.count {
            guard let h = nibble(u[i]), let l = nibble(u[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return out
    }
}

/// Why a name-change request was refused (Kea's wording where it has one).
public struct NCRError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// RFC 4701 DHCID RDATA: identifier type, digest type 1 (SHA-256), then SHA-256 over the
/// identifier and the FQDN in canonical wire form. The digest comes from the shell (OpenSSL);
/// Core has no hash of its own.
public enum DHCID {
    public enum IdentifierType: UInt16, Sendable {
        /// DHCPv4 without a client identifier: htype, then chaddr.
        case hardwareAddress = 0
        /// DHCPv4 client identifier (option 61), as sent.
        case clientIdentifier = 1
        /// DHCPv6 DUID.
        case duid = 2
    }

    public static func rdata(type: IdentifierType, identifier: [UInt8], fqdn: DNSName,
                             sha256: ([UInt8]) -> [UInt8]) -> [UInt8] {
        let digest = sha256(identifier + fqdn.lowercased.wire)
        return [UInt8(type.rawValue >> 8), UInt8(type.rawValue & 0xFF), 1] + digest
    }
}

extension WallTime {
    /// "YYYYMMDDHHMMSS" in UTC (Kea's NCR `lease-expires-on`).
    public var compactUTC: String {
        let (y, m, d, secs) = Self.civil(secondsSinceEpoch)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = y < 1000 ? String(repeating: "0", count: 4 - String(y).count) + String(y) : String(y)
        return "\(year)\(two(m))\(two(d))\(two(secs / 3600))\(two(secs % 3600 / 60))\(two(secs % 60))"
    }

    /// Reads "YYYYMMDDHHMMSS" (UTC); nil for anything else or an impossible date.
    public init?(compactUTC text: String) {
        let u = Array(text.utf8)
        guard u.count == 14, u.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        func num(_ r: Range<Int>) -> Int64 { u[r].reduce(0) { $0 * 10 + Int64($1 - 48) } }
        let y = num(0..<4), m = num(4..<6), d = num(6..<8), hh = num(8..<10), mm = num(10..<12), ss = num(12..<14)
        guard (1...12).contains(m), d >= 1, d <= 31, hh < 24, mm < 60, ss < 60 else { return nil }
        // Howard Hinnant's days-from-civil.
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let t = WallTime(secondsSinceEpoch: days * 86400 + hh * 3600 + mm * 60 + ss)
        // 31 February and the like come back as another day: refused.
        guard Self.civil(t.secondsSinceEpoch).2 == d else { return nil }
        self = t
    }

    /// Year, month, day and seconds into the day (UTC), by Howard Hinnant's civil-from-days.
    static func civil(_ s: Int64) -> (Int64, Int64, Int64, Int64) {
        let days = s >= 0 ? s / 86400 : (s - 86399) / 86400
        let secs = s - days * 86400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d, secs)
    }
}
