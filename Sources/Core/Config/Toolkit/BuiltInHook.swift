/// Kea's open-source hook libraries, which Kakapo builds in instead of loading them; the raw
/// value is the library's file name, as a `hooks-libraries` entry names it.
public enum BuiltInHook: String, Sendable, CaseIterable {
    case leaseCommands = "libdhcp_lease_cmds.so"
    case statisticsCommands = "libdhcp_stat_cmds.so"
    case highAvailability = "libdhcp_ha.so"
    case bootp = "libdhcp_bootp.so"
    case flexibleOption = "libdhcp_flex_option.so"
    case flexibleIdentifier = "libdhcp_flex_id.so"
    case runScript = "libdhcp_run_script.so"
}
