#!/usr/bin/env bash
# dhcpcd: address by broadcast, options applied, CSV row, renew, restart, release.
KK_CLIENT_TYPE=dhcpcd
. "$(dirname "$0")/client_flow.sh"
