#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ksrtp unloads and reloads cleanly, and the family answers ksrtpctl after
# every load with the same version the module reports in sysfs.
. "$(dirname "$0")/lib.sh"

KO=${KSRTP_KO:?KSRTP_KO must name the ksrtp.ko to test}
ktap_plan 4

info_matches() {
	out=$("$BIN/ksrtpctl" -j info) || return 1
	echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
ver = open("/sys/module/ksrtp/version").read().strip()
assert d["api_version"] == 1, d
assert d["module_version"] == ver, (d, ver)
assert "info" in d["features"], d
'
}

reload_cycles() {
	for i in 1 2 3; do
		rmmod ksrtp || return 1
		[ ! -e /sys/module/ksrtp ] || return 1
		# absent module: a clear error, exit 1
		err=$("$BIN/ksrtpctl" info 2>&1) && return 1
		echo "$err" | grep -q "module is not loaded" || return 1
		insmod "$KO" || return 1
		info_matches || return 1
	done
}

check "info_json_matches_sysfs" info_matches
check "text_output" sh -c "\"$BIN/ksrtpctl\" info | grep -q '^ksrtp module .* api 1\$'"
check "rmmod_insmod_cycles" reload_cycles
check "family_gone_after_rmmod" sh -c "rmmod ksrtp && ! grep -q '^ksrtp ' /proc/modules && ! \"$BIN/ksrtpctl\" info >/dev/null 2>&1; rc=\$?; insmod \"$KO\"; exit \$rc"
ktap_finish
