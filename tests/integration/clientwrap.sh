#!/bin/sh
# clientwrap.sh DIR CMD... : run a DHCP client with private state.  Call it inside
# a private mount + UTS namespace (unshare --mount --uts), as lib.sh does.
#   /etc           overlay: writes (resolv.conf, dhclient-script temp files) go to DIR/etc-upper
#   /run           DIR/run            (dhcpcd pid file and control socket)
#   /var/lib/dhcpcd, /var/lib/dhcp    DIR/dhcpcd-lib, DIR/dhcp-lib (leases, DUID)
# If overlayfs is unavailable (e.g. / is itself an overlay), /etc stays as is and
# /etc/resolv.conf is the /etc/netns/NS/resolv.conf file that ip netns exec bound.
d=$1; shift
mkdir -p "$d/etc-upper" "$d/etc-work" "$d/run" "$d/dhcpcd-lib" "$d/dhcp-lib"
if ! mount -t overlay overlay -o "lowerdir=/etc,upperdir=$d/etc-upper,workdir=$d/etc-work" /etc 2>"$d/overlay.err"; then
    echo "clientwrap: no overlay on /etc ($(cat "$d/overlay.err")); using the /etc/netns bind of resolv.conf" >&2
fi
mount --bind "$d/run" /run || exit 1
if [ -d /var/lib/dhcpcd ]; then mount --bind "$d/dhcpcd-lib" /var/lib/dhcpcd || exit 1; fi
if [ -d /var/lib/dhcp ]; then mount --bind "$d/dhcp-lib" /var/lib/dhcp || exit 1; fi
hostname kk-client 2>/dev/null || true
exec "$@"
