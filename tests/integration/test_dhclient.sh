#!/usr/bin/env bash
# dhclient: address by broadcast, options applied, CSV row, renew, restart, release.
KK_CLIENT_TYPE=dhclient
. "$(dirname "$0")/client_flow.sh"
