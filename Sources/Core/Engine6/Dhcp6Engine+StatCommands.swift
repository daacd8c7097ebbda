extension Dhcp6Engine {
    /// `stat-lease6-get` (libdhcp_stat_cmds.so): one row per configured subnet selected, in
    /// subnet-id order, with Kea's columns. Totals and cumulative counts come from the
    /// statistics; assigned and declined addresses and assigned prefixes are counted in the
    /// store, as Kea's lease statistics query does (temporary addresses are not counted).
    func statLeaseGet(_ arguments: JSON?, now: Now) -> JSON {
        let selection: StatLeaseSelection
        switch StatLeaseSelection.parse(arguments) {
        case .failure(let error): return ControlResponse.make(.error, error.text)
        case .success(let parsed): selection = parsed
        }
        let label = "stat-lease6-get" + selection.text
        let chosen = config.subnets.map(\.id).filter { selection.contains($0) }.sorted()
        guard !chosen.isEmpty else { return selection.noMatch(label: label) }
        let wanted = Set(chosen)
        var assignedNAs: [UInt32: Int64] = [:]
        var declinedNAs: [UInt32: Int64] = [:]
        var assignedPDs: [UInt32: Int64] = [:]
        store.forEachLease { l in
            guard wanted.contains(l.subnetID) else { return }
            switch (l.type, l.state) {
            case (.nonTemporaryAddress, .assigned): assignedNAs[l.subnetID, default: 0] += 1
            case (.nonTemporaryAddress, .declined): declinedNAs[l.subnetID, default: 0] += 1
            case (.delegatedPrefix, .assigned): assignedPDs[l.subnetID, default: 0] += 1
            default: break
            }
        }
        let rows: [JSON] = chosen.map { id in
            .array([.int(Int64(id)),
                    .int(stats.value(.totalNAs, subnet: id)),
                    .int(stats.value(.cumulativeAssignedNAs, subnet: id)),
                    .int(assignedNAs[id] ?? 0),
                    .int(declinedNAs[id] ?? 0),
                    .int(stats.value(.totalPDs, subnet: id)),
                    .int(stats.value(.cumulativeAssignedPDs, subnet: id)),
                    .int(assignedPDs[id] ?? 0)])
        }
        return ControlResponse.make(.success, "\(label): \(rows.count) rows found",
                                    arguments: StatLeaseResultSet.arguments(columns: StatLeaseResultSet.columns6, rows: rows, now: now))
    }
}
