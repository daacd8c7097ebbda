import CCrypto
import KakapoCore

/// The system's OpenSSL (libcrypto) for what Core leaves to the shell: the HMACs of TSIG, so
/// that the host's OpenSSL configuration applies as it does for Kea.
public enum SystemCrypto {
    /// HMAC with the algorithm's full digest length; `TSIG.sign`/`verify` take it as their
    /// `HMACFunction`.
    public static let hmac: HMACFunction = { algorithm, key, data in
        let md: OpaquePointer?
        switch algorithm {
        case .hmacMD5: md = EVP_md5()
        case .hmacSHA1: md = EVP_sha1()
        case .hmacSHA224: md = EVP_sha224()
        case .hmacSHA256: md = EVP_sha256()
        case .hmacSHA384: md = EVP_sha384()
        case .hmacSHA512: md = EVP_sha512()
        }
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = key.withUnsafeBufferPointer { k in
            data.withUnsafeBufferPointer { d in
                out.withUnsafeMutableBufferPointer { o in
                    HMAC(md, k.baseAddress, Int32(k.count), d.baseAddress, d.count, o.baseAddress, &length)
                }
            }
        }
        // A digest OpenSSL refuses (a FIPS policy forbidding MD5, say) signs with nothing: the
        // peer then rejects the message, and the caller logs why.
        guard ok != nil else { return [] }
        return Array(out.prefix(Int(length)))
    }

    /// SHA-256 of `data` (DHCID digests, RFC 4701).
    public static func sha256(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = data.withUnsafeBufferPointer { d in
            out.withUnsafeMutableBufferPointer { o in
                EVP_Digest(d.baseAddress, d.count, o.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        return out
    }

    /// Kea's configuration hash (`config-hash-get`): SHA-256 of the configuration as Kea prints
    /// it (`KeaElementText`), in uppercase hex.
    public static func configHash(_ configuration: JSON) -> String {
        let digits = Array("0123456789ABCDEF")
        return String(sha256(Array(KeaElementText.string(configuration).utf8)).flatMap {
            [digits[Int($0 >> 4)], digits[Int($0 & 15)]]
        })
    }
}
