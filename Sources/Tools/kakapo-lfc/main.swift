import KakapoLinuxIO

// kakapo-lfc: the memfile lease file cleanup in place of Kea's kea-lfc (see runLeaseFileCleanup).
runLeaseFileCleanup()
