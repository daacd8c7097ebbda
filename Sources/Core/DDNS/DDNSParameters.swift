/// The per-scope DDNS keys (`ddns-*`, `hostname-char-*`) as written in one scope (a subnet or
/// a shared network): unset keys come from the enclosing scope, as in Kea 2.4.
public struct DDNSScope: Sendable, Equatable {
    public var sendUpdates: Bool?
    public var overrideNoUpdate: Bool?
    public var overrideClientUpdate: Bool?
    public var replaceClientName: String?
    public var generatedPrefix: String?
    public var qualifyingSuffix: String?
    public var updateOnRenew: Bool?
    public var useConflictResolution: Bool?
    public var ttlPercent: Double?
    public var hostnameCharSet: String?
    public var hostnameCharReplacement: String?
    public init() {}

    /// Values set here win; unset ones come from `parent`.
    public func inheriting(from parent: DDNSScope) -> DDNSScope {
        var s = self
        s.sendUpdates = sendUpdates ?? parent.sendUpdates
        s.overrideNoUpdate = overrideNoUpdate ?? parent.overrideNoUpdate
        s.overrideClientUpdate = overrideClientUpdate ?? parent.overrideClientUpdate
        s.replaceClientName = replaceClientName ?? parent.replaceClientName
        s.generatedPrefix = generatedPrefix ?? parent.generatedPrefix
        s.qualifyingSuffix = qualifyingSuffix ?? parent.qualifyingSuffix
        s.updateOnRenew = updateOnRenew ?? parent.updateOnRenew
        s.useConflictResolution = useConflictResolution ?? parent.useConflictResolution
        s.ttlPercent = ttlPercent ?? parent.ttlPercent
        s.hostnameCharSet = hostnameCharSet ?? parent.hostnameCharSet
        s.hostnameCharReplacement = hostnameCharReplacement ?? parent.hostnameCharReplacement
        return s
    }
}

/// Kea's `ddns-replace-client-name` modes.
public enum ReplaceClientNameMode: String, Sendable {
    case never, always
    case whenPresent = "when-present"
    case whenNotPresent = "when-not-present"
}

/// The DDNS behaviour in force for one subnet (Kea's `DdnsParams`): the global keys with the
/// shared network's and the subnet's on top, and whether `dhcp-ddns` is enabled. Protocol
/// neutral: the DHCPv4 and DHCPv6 engines both take their name decisions from it.
public struct DDNSParameters: Sendable, Equatable {
    /// `dhcp-ddns.enable-updates`: without it no request is ever sent.
    public var enabled: Bool
    public var sendUpdates: Bool
    public var overrideNoUpdate: Bool
    public var overrideClientUpdate: Bool
    public var replaceClientName: ReplaceClientNameMode
    public var generatedPrefix: String
    public var qualifyingSuffix: String
    public var updateOnRenew: Bool
    public var useConflictResolution: Bool
    public var ttlPercent: Double?
    public var hostnameCharSet: String
    public var hostnameCharReplacement: String

    /// The global settings, with `scope` (already folded subnet over network) on top.
    public init(global g: DDNSSettings, scope s: DDNSScope = DDNSScope()) {
        enabled = g.enableUpdates
        sendUpdates = s.sendUpdates ?? g.sendUpdates
        overrideNoUpdate = s.overrideNoUpdate ?? g.overrideNoUpdate
        overrideClientUpdate = s.overrideClientUpdate ?? g.overrideClientUpdate
        replaceClientName = ReplaceClientNameMode(rawValue: s.replaceClientName ?? g.replaceClientName) ?? .never
        generatedPrefix = s.generatedPrefix ?? g.generatedPrefix
        qualifyingSuffix = s.qualifyingSuffix ?? g.qualifyingSuffix
        updateOnRenew = s.updateOnRenew ?? g.updateOnRenew
        useConflictResolution = s.useConflictResolution ?? g.useConflictResolution
        ttlPercent = s.ttlPercent ?? g.ttlPercent
        hostnameCharSet = s.hostnameCharSet ?? g.hostnameCharSet
        hostnameCharReplacement = s.hostnameCharReplacement ?? g.hostnameCharReplacement
    }

    /// Kea's `DdnsParams::getEnableUpdates`: `dhcp-ddns` enabled and `ddns-send-updates`.
    public var updatesEnabled: Bool { enabled && sendUpdates }
}
