import KakapoLinuxIO

// kakapo-dhcp-ddns: the DHCP-DDNS daemon in place of Kea's kea-dhcp-ddns (see runD2Server).
runD2Server()
