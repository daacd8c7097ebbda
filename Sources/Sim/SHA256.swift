import CCrypto

/// SHA-256 for the DHCIDs of simulated name-change requests, from the system's OpenSSL
/// (libcrypto), as the daemons take it: deterministic, and no hash written here.
enum SimSHA256 {
    @Sendable static func hash(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = data.withUnsafeBufferPointer { d in
            out.withUnsafeMutableBufferPointer { o in
                EVP_Digest(d.baseAddress, d.count, o.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        return out
    }
}
