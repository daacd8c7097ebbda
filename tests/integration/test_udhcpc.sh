#!/usr/bin/env bash
# udhcpc: address by broadcast, options applied, CSV row, renew, restart, release.
KK_CLIENT_TYPE=udhcpc
. "$(dirname "$0")/client_flow.sh"
