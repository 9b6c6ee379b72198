#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Smoke run of the benchmarks (build/bin/ksrtp_bench --smoke: 2 rounds of
# 10 ms, 1 and 100 contexts; build/bin/ksrtp_relay_bench --smoke: the relay
# contenders, 1 and 100 forwards, fan-out 1 and 8 with per-destination keys
# and encrypt-once): every contender must run and report a positive rate,
# and the results files must be valid JSON. It measures nothing; `make
# bench` does. Needs ksrtp.ko loaded; loads the raw crypto module
# (build/mod/<kernel>/bench/ksrtp_cryptobench.ko) when it is built.
cd "$(dirname "$0")/.." || exit 1
. selftests/lib.sh

TMP=$(mktemp -d)
CB_KO=build/mod/$(uname -r)/bench/ksrtp_cryptobench.ko
CB_LOADED=
cleanup() {
	[ -n "$CB_LOADED" ] && rmmod ksrtp_cryptobench 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

if [ ! -x "$BIN/ksrtp_bench" ]; then
	ktap_plan 1
	ktap_skip "bench smoke" "$BIN/ksrtp_bench not built (make bench-build)"
	exit 0
fi

RAW=
NORAW=--no-raw
if grep -q '^ksrtp_cryptobench ' /proc/modules; then
	RAW=1
elif [ -e "$CB_KO" ] && insmod "$CB_KO" 2> "$TMP/insmod"; then
	RAW=1
	CB_LOADED=1
fi

[ -n "$RAW" ] && NORAW=
"$BIN/ksrtp_bench" --smoke $NORAW \
	--json "$TMP/r.json" > "$TMP/out" 2> "$TMP/err"
rc=$?
RELAY=
if [ -x "$BIN/ksrtp_relay_bench" ]; then
	RELAY=1
	"$BIN/ksrtp_relay_bench" --smoke --json "$TMP/relay.json" \
		> "$TMP/rout" 2> "$TMP/rerr"
	rrc=$?
	grep '^result ' "$TMP/rout" >> "$TMP/out"
	cat "$TMP/rerr" >> "$TMP/err"
fi

n=$(grep -c '^result ' "$TMP/out")
n=$((n + 1))	# ksrtp_relay_bench --smoke exits 0 (or its skip)
[ -n "$RAW" ] || n=$((n + 4))
ktap_plan $((n + 4))
if [ "$rc" = 0 ]; then
	ktap_ok "ksrtp_bench --smoke exits 0"
else
	sed 's/^/# /' "$TMP/err" | tail -n 20
	ktap_fail "ksrtp_bench --smoke exits 0 (exit $rc)"
fi
if [ -z "$RELAY" ]; then
	ktap_skip "ksrtp_relay_bench --smoke exits 0" "$BIN/ksrtp_relay_bench not built (make bench-build)"
elif [ "$rrc" = 0 ] && [ "$(grep -c '^result relay-' "$TMP/out")" -ge 12 ]; then
	ktap_ok "ksrtp_relay_bench --smoke exits 0"
else
	sed 's/^/# /' "$TMP/rerr" | tail -n 20
	ktap_fail "ksrtp_relay_bench --smoke exits 0 (exit $rrc)"
fi
while read -r _ name value; do
	[ -n "$name" ] || continue
	if awk -v v="$value" 'BEGIN { exit !(v + 0 > 0 && v + 0 < 1e12) }'; then
		ktap_ok "$name $value"
	else
		grep -F "$name:" "$TMP/err" | sed 's/^/# /'
		ktap_fail "$name ($value)"
	fi
done <<END
$(grep '^result ' "$TMP/out")
END
if [ -z "$RAW" ]; then
	why="$CB_KO $( [ -e "$CB_KO" ] && echo "does not load: $(cat "$TMP/insmod")" || echo "not built (make bench-build)")"
	for c in raw-cm/160 raw-gcm/160 raw-cm/1200 raw-gcm/1200; do
		ktap_skip "$c" "$why"
	done
fi
if command -v python3 > /dev/null; then
	check "results JSON parses" python3 -c \
		'import json, sys; d = json.load(open(sys.argv[1])); assert d["contenders"]' "$TMP/r.json"
	if [ -n "$RELAY" ]; then
		check "relay results JSON parses" python3 -c \
			'import json, sys; d = json.load(open(sys.argv[1])); assert d["contenders"] and d["ratios"]' "$TMP/relay.json"
	else
		ktap_skip "relay results JSON parses" "no ksrtp_relay_bench"
	fi
else
	ktap_skip "results JSON parses" "no python3"
	ktap_skip "relay results JSON parses" "no python3"
fi
if [ -n "$CB_LOADED" ]; then
	CB_LOADED=
	check "ksrtp_cryptobench unloads" rmmod ksrtp_cryptobench
else
	ktap_skip "ksrtp_cryptobench unloads" "not loaded by this test"
fi
ktap_finish
