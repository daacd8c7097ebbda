import Glibc
import KakapoCore

/// Writes to file descriptor 2 without touching the C `stderr` global (not concurrency-safe).
/// Kea's daemons write usage text and their -t verdicts there.
public func writeStandardError(_ text: String) {
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
}

/// The line `kea-dhcp4 -t` / `kea-dhcp6 -t` prints for a configuration it refuses: grammar
/// errors as "Syntax check failed with: …", configuration errors as "Error encountered: …".
public func configCheckVerdict(_ error: ConfigError) -> String {
    (error.isGrammarError ? "Syntax check failed with: " : "Error encountered: ") + error.message + "\n"
}
