import KakapoLinuxIO

// kakapo-dhcp4: the DHCPv4 server in place of Kea's kea-dhcp4 (see runDHCPServer).
runDHCPServer(Dhcp4Server.self)
