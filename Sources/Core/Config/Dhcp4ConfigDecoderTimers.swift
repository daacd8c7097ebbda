extension Dhcp4Decoding {
    /// Kea's `BaseNetworkParser` warning when a subnet's own map sets a renew-timer above its
    /// rebind-timer: the configuration passes and the renew timer is not sent.
    mutating func warnRenewAfterRebind(_ draft: SubnetDraft, path: String) {
        let timers = draft.subnet.timers
        guard let renew = timers.renewTimerSeconds, let rebind = timers.rebindTimerSeconds, renew > rebind,
              let position = draft.timerScope.positions["renew-timer"] else { return }
        warnings.append(ConfigWarning(
            code: .inconsistentValues, key: "\(path)/renew-timer", position: position,
            message: "\(position): in subnet \(draft.subnet.prefix), the value of renew-timer \(renew) is greater than "
                + "the value of rebind-timer \(rebind), ignoring renew-timer"))
    }
}
