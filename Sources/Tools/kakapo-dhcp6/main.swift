import KakapoLinuxIO

// kakapo-dhcp6: the DHCPv6 server in place of Kea's kea-dhcp6 (see runDHCPServer).
runDHCPServer(Dhcp6Server.self)
