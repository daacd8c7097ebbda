import KakapoCore

/// What both daemons do with their memfile around the engine: log a load, and write a loop
/// turn's lease changes in one append (persist before send, see `Dhcp4Server.flush`).
extension LeaseMemfile {
    /// Logs each file's load report as Kea does; returns the reason to refuse starting when a
    /// file has more invalid rows than `maxRowErrors` allows (0: no limit).
    func logLoad(_ reports: [(String, LeaseCSV.LoadReport)], logger: Logger, maxRowErrors: Int) -> String? {
        for (file, r) in reports {
            logger.log(.info, "DHCPSRV_MEMFILE_LEASE_FILE_LOAD", "loading leases from file \(file): \(r.leasesAdded) rows added, \(r.leasesDeleted) deleted, \(r.errors.count) errors", component: "dhcpsrv")
            for e in r.errors.prefix(10) { logger.log(.error, "DHCPSRV_MEMFILE_LEASE_LOAD_ROW_ERROR", "discarding row \(e.line), error: \(e.reason) (file \(file))", component: "dhcpsrv") }
            if maxRowErrors > 0 && r.errors.count > maxRowErrors {
                return "too many invalid rows (\(r.errors.count)) in lease file \(file)"
            }
        }
        return nil
    }

    /// Appends every lease change of `batch` (one loop turn's transactions) in one write;
    /// the outcome applies to every transaction in it. A failure is logged.
    func writeTurn<F: ProtocolFamily>(_ batch: [Effects<F>], logger: Logger) -> WriteOutcome<F.Lease> where F.Lease == Format.Lease {
        var changes: [LeaseChange<Format.Lease>] = []
        changes.reserveCapacity(batch.count)
        for e in batch { for w in e.writes { changes.append(w.change) } }
        guard !append(changes) else { return .durable }
        let reason = lastFailure ?? "unknown error"
        logger.log(.error, "DHCPSRV_MEMFILE_WRITE_FAIL", "failed to write \(changes.count) lease change(s) to \(path): \(reason); the replies that depend on them are withheld", component: "dhcpsrv")
        return .failed(reason: reason)
    }

    /// Lease file cleanup with Kea's log lines.
    func cleanUp(_ leases: [Format.Lease], logger: Logger) {
        do {
            try cleanup(leases: leases)
            logger.log(.info, "DHCPSRV_MEMFILE_LFC_EXECUTE", "executing Lease File Cleanup using: in-process snapshot of \(path) (\(leases.count) leases written)", component: "dhcpsrv")
        } catch {
            logger.log(.error, "DHCPSRV_MEMFILE_LFC_SPAWN_FAIL", "lease file cleanup failed to run: \(error) (lease file \(path))", component: "dhcpsrv")
        }
    }
}
