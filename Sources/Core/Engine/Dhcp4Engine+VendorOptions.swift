/// The vendor-identifying options of a reply (RFC 3925): 124, the V-I vendor class, and 125, the
/// V-I vendor-specific information, answered per vendor as Kea 2.4 does in
/// `Dhcpv4Srv::appendRequestedOptions` (their special cases) and
/// `Dhcpv4Srv::appendRequestedVendorOptions`.
///
/// - 124 (`vivco-suboptions`): when the client asks for it (option 55) or a layer marks it
///   always-send, and no layer marks it never-send, every configured 124 goes out, one per
///   enterprise number: layers by precedence and, within a layer, the entries in reverse order
///   of the file (the order Kea's option container gives them).
/// - 125 (`vivso-suboptions`), first step, under the same conditions: a vendor block for each
///   enterprise number configured with a 125 entry, in that same order, holding the options of
///   `vendor-<number>` configured in the same layer (Kea encapsulates them at load time).
/// - 125, second step, whatever the client asked: the vendors are those of the blocks above,
///   plus the enterprise numbers of the client's own 125 and 124. For each, in ascending
///   number, the sub-options wanted are those of the client's ORO (sub-option 1) when the vendor
///   is CableLabs (4491, DOCSIS), plus those a layer marks always-send in `vendor-<number>`;
///   those a layer marks never-send are dropped. Each found in a layer (highest precedence
///   first) is added to the vendor's block, in code order; a vendor gets a new block only if
///   something was added to it. A vendor with nothing wanted keeps its (possibly empty) block.
///
/// Each block is the enterprise number, a data-length octet and the sub-options. Kea sends one
/// option 125 per block; here the blocks are concatenated into one option 125, which the encoder
/// splits into 255-octet instances when longer, and which a client reads the same way (RFC 3396
/// joins the instances of an option, RFC 3925 §4 allows several enterprises in one). The same
/// holds for 124.
extension Dhcp4Engine {
    /// Option codes answered here rather than by the generic requested-options walk.
    static var vendorIdentifyingCodes: [UInt8] {
        [DHCPv4Option.vivcoSuboptions.code, DHCPv4Option.vivsoSuboptions.code]
    }

    /// CableLabs' enterprise number, whose options (`vendor-4491`) a client asks for with an ORO.
    static var cableLabsEnterprise: UInt32 { 4491 }
    /// The ORO sub-option of the CableLabs space (`vendor-4491` option 1, `oro`).
    static var cableLabsORO: UInt8 { 1 }

    /// One vendor's block of option 125 being built.
    private struct VendorBlock {
        var enterprise: UInt32
        var subOptions: [UInt8] = []
    }

    func addVendorOptions(_ r: inout DHCPv4Message, _ x: Exchange, layers: [[ConfiguredOption]], prl: ArraySlice<UInt8>) {
        let vivco = DHCPv4Option.vivcoSuboptions.code
        let vivso = DHCPv4Option.vivsoSuboptions.code
        // Requested: in option 55 or always-send in some layer; cancelled: never-send in some layer.
        var askClass = prl.contains(vivco), askSpecific = prl.contains(vivso)
        var cancelClass = false, cancelSpecific = false
        for list in layers {
            for o in list where o.enterprise == nil && (o.code == vivco || o.code == vivso) {
                if o.code == vivco {
                    askClass = askClass || o.alwaysSend
                    cancelClass = cancelClass || o.neverSend
                } else {
                    askSpecific = askSpecific || o.alwaysSend
                    cancelSpecific = cancelSpecific || o.neverSend
                }
            }
        }

        if askClass && !cancelClass && !r.options.contains(vivco) {
            var seen: [UInt32] = []
            var payload: [UInt8] = []
            for list in layers {
                for o in list.reversed() where o.enterprise == nil && o.code == vivco {
                    guard let id = Self.enterpriseNumber(o.payload[...]), !seen.contains(id) else { continue }
                    seen.append(id)
                    payload += o.payload
                }
            }
            if !payload.isEmpty { r.options[vivco] = payload }
        }

        var blocks: [VendorBlock] = []
        if askSpecific && !cancelSpecific {
            for list in layers {
                for o in list.reversed() where o.enterprise == nil && o.code == vivso {
                    guard let id = Self.enterpriseNumber(o.payload[...]),
                          !blocks.contains(where: { $0.enterprise == id }) else { continue }
                    // The configured 125 carries the vendor's options of its own layer, as
                    // Kea encapsulates them when it loads the configuration.
                    var block = VendorBlock(enterprise: id)
                    for sub in list where sub.enterprise == id && !sub.neverSend {
                        guard block.subOptions.count + 2 + sub.payload.count <= 255 else { continue }
                        block.subOptions += [sub.code, UInt8(sub.payload.count)] + sub.payload
                    }
                    blocks.append(block)
                }
            }
        }

        // The vendors the client names, and the CableLabs ORO.
        var vendors = Set(blocks.map(\.enterprise))
        var oro: [UInt8] = []
        if let data = x.message.options[vivso] {
            Self.forEachBlock(data) { id, body in
                vendors.insert(id)
                if id == Self.cableLabsEnterprise, oro.isEmpty, let codes = SubOptions.first(Self.cableLabsORO, in: body) {
                    oro = Array(codes)
                }
            }
        }
        if let data = x.message.options[vivco] {
            Self.forEachBlock(data) { id, _ in vendors.insert(id) }
        }
        guard !vendors.isEmpty else { return }

        for id in vendors.sorted() {
            var wanted: Set<UInt8> = id == Self.cableLabsEnterprise ? Set(oro) : []
            var cancelled: Set<UInt8> = []
            for list in layers {
                for o in list where o.enterprise == id {
                    if o.alwaysSend { wanted.insert(o.code) }
                    if o.neverSend { cancelled.insert(o.code) }
                }
            }
            guard !wanted.isEmpty else { continue }
            let existing = blocks.firstIndex { $0.enterprise == id }
            var block = existing.map { blocks[$0] } ?? VendorBlock(enterprise: id)
            var added = false
            for code in wanted.sorted() where !cancelled.contains(code) {
                // Already carried by the configured block: Kea adds only what is missing.
                guard SubOptions.first(code, in: block.subOptions[...]) == nil,
                      let o = Self.vendorOption(id, code, in: layers) else { continue }
                // The data-length octet counts at most 255 octets of sub-options.
                guard block.subOptions.count + 2 + o.payload.count <= 255 else { continue }
                block.subOptions += [code, UInt8(o.payload.count)] + o.payload
                added = true
            }
            if let existing {
                blocks[existing] = block
            } else if added {
                blocks.append(block)
            }
        }

        guard !blocks.isEmpty else { return }
        var payload: [UInt8] = []
        for block in blocks {
            payload += u32Bytes(block.enterprise) + [UInt8(block.subOptions.count)] + block.subOptions
        }
        r.options[vivso] = payload
    }

    /// The highest-precedence configured sub-option `code` of vendor `enterprise`.
    private static func vendorOption(_ enterprise: UInt32, _ code: UInt8,
                                     in layers: [[ConfiguredOption]]) -> ConfiguredOption? {
        for list in layers {
            for o in list where o.enterprise == enterprise && o.code == code { return o }
        }
        return nil
    }

    /// The enterprise number a 124 or 125 payload starts with.
    static func enterpriseNumber(_ data: ArraySlice<UInt8>) -> UInt32? {
        guard data.count >= 4 else { return nil }
        let i = data.startIndex
        return UInt32(data[i]) << 24 | UInt32(data[i + 1]) << 16 | UInt32(data[i + 2]) << 8 | UInt32(data[i + 3])
    }

    /// Calls `body` with each complete enterprise block of a 124 or 125 payload (enterprise
    /// number, length octet, data), as Kea splits a client's option per enterprise; reading
    /// stops at a truncated block.
    static func forEachBlock(_ data: [UInt8], _ body: (UInt32, ArraySlice<UInt8>) -> Void) {
        var i = 0
        // Each pass consumes at least five octets.
        while i + 5 <= data.count {
            let end = i + 5 + Int(data[i + 4])
            guard end <= data.count, let id = enterpriseNumber(data[i..<(i + 4)]) else { return }
            body(id, data[(i + 5)..<end])
            i = end
        }
    }
}
