"""Writes a Kea memfile of N leases for bench/leases.sh: leases4 (family 4) with client ids and
host names, or leases6 (family 6) with DUID-LLs, IAIDs, hardware addresses and host names.
Deterministic: row i always describes the same lease (expiry: a day from now). The v4
addresses are 10.0.0.10 onwards (a million do not fit in the benchmark range 198.18.0.0/15):
they are file contents only, the servers that load them have no interface and send nothing."""
import sys
import time


def main():
    family, path, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    expire = int(time.time()) + 86400
    with open(path, "w") as f:
        if family == "4":
            f.write("address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,"
                    "state,user_context,pool_id\n")
        else:
            f.write("address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,"
                    "fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source,pool_id\n")
        for i in range(count):
            mac = "02:%02x:%02x:%02x:%02x:%02x" % ((i >> 32) & 255, (i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255)
            if family == "4":
                a = (10 << 24) | (i + 10)
                f.write("%d.%d.%d.%d,%s,01:%s,86400,%d,1,0,0,host-%d.example.org,0,,0\n"
                        % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255, mac, mac, expire, i))
            else:
                f.write("2001:db8:1::%x:%x,00:03:00:01:%s,86400,%d,1,43200,0,%d,128,0,0,host-%d.example.org,%s,0,,1,2,0\n"
                        % ((i >> 16) + 1, i & 0xffff, mac, expire, i & 0xffffffff, i, mac))


if __name__ == "__main__":
    main()
