import KakapoCore

extension World {
    func fault(_ f: FaultSpec) {
        switch f.kind {
        case .crash(let name, let down):
            guard let s = scenario.servers.firstIndex(where: { $0.name == name }) else { return }
            record("fault", [("fault", .string("crash")), ("target", .string(name)), ("detail", .string("down for \(down)ms"))])
            process(s).crash()
            queue.push(now + max(1, down), .serverRestart(s))
        case .reload(let name, let text):
            guard let s = scenario.servers.firstIndex(where: { $0.name == name }) else { return }
            if isV6 { return reload6(s, text) }
            let server = servers[s]
            let newConfig: Dhcp4Config
            do { newConfig = try SimConfig.decode(text ?? server.spec.configText, source: server.spec.configSource) } catch {
                record("fault", [("fault", .string("reload")), ("target", .string(name)), ("detail", .string("rejected: \(error.message)"))])
                return
            }
            server.config = newConfig
            server.engine?.reconfigure(newConfig, now: server.now(now))
            record("fault", [("fault", .string("reload")), ("target", .string(name)), ("detail", .string("applied"))])
            scheduleDeadline(server)
        case .lossBurst(let seg, let loss, let duration):
            guard let i = segments.firstIndex(where: { $0.spec.name == seg }) else { return }
            segments[i].lossOverride = loss
            record("fault", [("fault", .string("loss-burst")), ("target", .string(seg)), ("detail", .string("loss \(loss) for \(duration)ms"))])
            queue.push(now + duration, .lossBurstEnd(segment: i))
        case .partition(let seg, let duration):
            guard let i = segments.firstIndex(where: { $0.spec.name == seg }) else { return }
            segments[i].partitioned = true
            record("fault", [("fault", .string("partition")), ("target", .string(seg)), ("detail", .string("for \(duration)ms"))])
            queue.push(now + duration, .partitionEnd(segment: i))
        case .clockJump(let name, let seconds):
            guard let s = scenario.servers.firstIndex(where: { $0.name == name }) else { return }
            process(s).clockOffsetSeconds += seconds
            record("fault", [("fault", .string("clock-jump")), ("target", .string(name)), ("detail", .string("\(seconds)s"))])
        case .malformedFlood(let seg, let count, let duration):
            guard let i = segments.firstIndex(where: { $0.spec.name == seg }) else { return }
            record("fault", [("fault", .string("malformed-flood")), ("target", .string(seg)), ("detail", .string("\(count) datagrams over \(duration)ms"))])
            queue.push(now, .rogue(segment: i, remaining: count, interval: max(1, duration / Int64(max(1, count)))))
        case .duplicationBurst(let seg, let p, let duration):
            guard let i = segments.firstIndex(where: { $0.spec.name == seg }) else { return }
            segments[i].duplicationOverride = p
            record("fault", [("fault", .string("duplication-burst")), ("target", .string(seg)), ("detail", .string("duplication \(p) for \(duration)ms"))])
            queue.push(now + duration, .duplicationBurstEnd(segment: i))
        case .relayLoss(let seg, let loss, let duration):
            guard let i = segments.firstIndex(where: { $0.spec.name == seg }) else { return }
            segments[i].relayLoss = loss
            record("fault", [("fault", .string("relay-loss")), ("target", .string(seg)), ("detail", .string("loss \(loss) for \(duration)ms"))])
            queue.push(now + duration, .relayLossEnd(segment: i))
        case .storageFailure(let name, let rate, let duration):
            guard let s = scenario.servers.firstIndex(where: { $0.name == name }) else { return }
            storageFailure[s] = rate
            record("fault", [("fault", .string("storage-failure")), ("target", .string(name)), ("detail", .string("rate \(rate) for \(duration)ms"))])
            queue.push(now + duration, .storageFailureEnd(server: s))
        }
    }

    /// The server comes back with what its storage made durable, like the daemon reloading
    /// its lease file; every lease a client still holds from it must be there.
    func restart(_ s: Int) {
        let server = process(s)
        server.start(at: now)
        record("fault", [("fault", .string("restart")), ("target", .string(server.spec.name)),
                         ("detail", .string("\(server.leaseCount) leases restored"))])
        if isV6 { scheduleDeadline(servers6[s]) } else { scheduleDeadline(servers[s]) }
        guard scenario.expectations.invariants else { return }
        if isV6 { checkAckedLeasesSurvived6(s) } else { checkAckedLeasesSurvived(s) }
    }

    /// Server `s` of whichever family the scenario runs.
    func process(_ s: Int) -> any SimServerProcess { isV6 ? servers6[s] : servers[s] }

    func reload6(_ s: Int, _ text: String?) {
        let server = servers6[s]
        let newConfig: Dhcp6Config
        do { newConfig = try SimConfig.decode6(text ?? server.spec.configText, source: server.spec.configSource) } catch {
            record("fault", [("fault", .string("reload")), ("target", .string(server.spec.name)), ("detail", .string("rejected: \(error.message)"))])
            return
        }
        server.config = newConfig
        server.engine?.reconfigure(newConfig, now: server.now(now))
        record("fault", [("fault", .string("reload")), ("target", .string(server.spec.name)), ("detail", .string("applied"))])
        scheduleDeadline(server)
    }
}
