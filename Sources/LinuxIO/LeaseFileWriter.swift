import CShim
import Glibc
import KakapoCore

/// The file side of lease4-write and lease6-write, shared by both daemons.
enum LeaseFileWriter {
    /// Writes the text `content` makes as leaseN-write does, refusing the lease file in use
    /// (`leaseFile`), however it is named: replacing it under the open descriptor would lose
    /// later appends. Shared by kakapo-dhcp4 and kakapo-dhcp6.
    static func write(_ request: LeaseWriteRequest, family: LeaseFileFamily, leaseFile: String?,
                      _ content: () -> String) -> JSON {
        if let leaseFile, sameFile(request.filename, leaseFile) {
            return request.leaseFileInUse(leaseFile).answer
        }
        do { try writeFileAtomically(request.filename, content()) } catch {
            return request.writeFailed(error.description).answer
        }
        return request.success(family)
    }

    /// Whether two paths name one file: the same text, or (when both exist) the same inode.
    static func sameFile(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        var sa = stat(), sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }
}
