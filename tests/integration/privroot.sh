#!/bin/sh
# privroot.sh DIR CMD... : run CMD with DIR/run, DIR/var/lib and DIR/var/log bound over
# /run, /var/lib and /var/log.  Call it inside a private mount namespace
# (unshare --mount), as lib.sh does, so the host's directories are untouched and
# a server's default paths (pid file, lease file, log) land in DIR.
set -e
d=$1; shift
mkdir -p "$d/run" "$d/var/lib" "$d/var/log"
mount --bind "$d/run" /run
mount --bind "$d/var/lib" /var/lib
mount --bind "$d/var/log" /var/log
exec "$@"
