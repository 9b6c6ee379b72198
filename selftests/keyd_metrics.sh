#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ksrtp-keyd's Prometheus metrics (metrics_listen): two keyds in two network
# namespaces, each serving /metrics on 127.0.0.1:9464 of its namespace, both
# built with ASan and UBSan. SDES calls, traffic, rekeys, a refused request
# and deletes; after each, a scrape with curl that promtool accepts, with the
# session gauges, handshake, rekey and failure counters checked by value and
# every kernel counter equal to the sum `ksrtpctl -j show` reports. Then the
# HTTP refusals, the bind address, start-up refusals, and a clean sanitizer
# exit.
#
# Runs as root with ksrtp.ko loaded (selftests/run.sh in the VM); cwd is the
# project tree, binaries in build/bin.
. "$(dirname "$0")/lib.sh"

KEYD_TEST=keyd_metrics
# both keyds under the sanitizers: any report fails the last step
KEYD_BIN=$BIN/ksrtp-keyd-asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=66
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=67
. "$(dirname "$0")/keyd_lib.sh"
PY="python3 $(dirname "$0")/keyd_metrics.py"
MPORT=9464
SUITE=AES_CM_128_HMAC_SHA1_80
ktap_plan 10

# scrape A|B: keyd's metrics in $D/scrape-X.txt, checked by promtool
scrape() {
	ns=$NS1
	[ "$1" = A ] || ns=$NS2
	ip netns exec $ns curl -sS -f -o "$D/scrape-$1.txt" -D "$D/headers-$1.txt" \
		"http://127.0.0.1:$MPORT/metrics" || return 1
	grep -qi '^content-type: text/plain; version=0.0.4' "$D/headers-$1.txt" ||
		{ echo "# headers: $(cat "$D/headers-$1.txt")"; return 1; }
	promtool check metrics < "$D/scrape-$1.txt" || return 1
}

# want A|B SAMPLE VALUE: the last scrape of that keyd has SAMPLE = VALUE
want() {
	v=$($PY get "$D/scrape-$1.txt" "$2")
	[ "$v" = "$3" ] && return 0
	echo "# keyd $1: $2 = $v, expected $3"
	return 1
}

S='ksrtp_keyd_sessions{method="sdes",state='
H='{method="sdes"}'

# app C: a second media app in $NS1, on keyd A (keyd_lib's C is in $NS2)
app_c_start() {
	mkfifo "$D/app-C.in" "$D/app-C.out"
	ip netns exec $NS1 "$BIN/keyd_app" -n C -s "$D/keyd-A.sock" -l $IP1:$((PORT + 2)) \
		-p $IP2:$((PORT + 2)) < "$D/app-C.in" > "$D/app-C.out" 2> "$D/app-C.err" &
	APP_C=$!
	exec 9> "$D/app-C.in" 4< "$D/app-C.out"
}

setup() {
	keyd_setup "A B" "allow_insecure_signalling = no
metrics_listen = 127.0.0.1:$MPORT
log_level = info" || return 1
	app_c_start
}
step "setup: two keyds (ASan/UBSan) with metrics_listen, three apps" setup
setup_or_skip 10

# ------------------------------------------------------------ idle

idle() {
	# both apps of keyd A connect at start; allow them the time to
	i=0
	until scrape A && want A ksrtp_keyd_control_clients 2 > /dev/null; do
		i=$((i + 1))
		[ $i -gt 50 ] && { want A ksrtp_keyd_control_clients 2; return 1; }
		sleep 0.1
	done
	grep -q '^ksrtp_keyd_build_info{version="[0-9.]*",module_version="[^"]*"} 1$' \
		"$D/scrape-A.txt" || return 1
	for st in new offered answering secure failed; do
		want A "$S\"$st\"}" 0 || return 1
	done
	want A "ksrtp_keyd_handshakes_started_total$H" 0 &&
		want A 'ksrtp_socket_rx_packets_total{method="sdes"}' 0 || return 1
	# no context yet: no per-suite series at all
	! grep -q '^ksrtp_ctx_' "$D/scrape-A.txt"
}
step "idle: promtool accepts the scrape, build info, zero sessions, 2 clients" idle

# ------------------------------------------------------------ a call

call() {
	app A create offerer bind suites $SUITE || return 1
	app B create answerer bind suites $SUITE || return 1
	negotiate A B || return 1
	app A wait secure 5000 && app B wait secure 5000 || return 1
	# C offers and gets no answer: a handshake in progress
	app C create offerer suites $SUITE && app C local || return 1
	scrape A && scrape B || return 1
	want A "$S\"secure\"}" 1 && want A "$S\"offered\"}" 1 && want A "$S\"new\"}" 0 &&
		want B "$S\"secure\"}" 1 && want B "$S\"answering\"}" 0 || return 1
	want A "ksrtp_keyd_handshakes_started_total$H" 2 &&
		want A "ksrtp_keyd_handshakes_completed_total$H" 1 &&
		want A "ksrtp_keyd_handshakes_failed_total$H" 0 || return 1
	want B "ksrtp_keyd_handshakes_started_total$H" 1 &&
		want B "ksrtp_keyd_handshakes_completed_total$H" 1 || return 1
	want A "ksrtp_keyd_handshake_duration_seconds_count$H" 1 &&
		want A 'ksrtp_keyd_handshake_duration_seconds_bucket{method="sdes",le="+Inf"}' 1 &&
		want A 'ksrtp_keyd_handshake_duration_seconds_count{method="dtls"}' 0
}
step "SDES call A-B and an open offer on C: session gauges, handshake counters" call

# ------------------------------------------------------------ traffic

# kernel_equal A|B: scrape, then every counter equals ksrtpctl's sums
kernel_equal() {
	ns=$NS1
	[ "$1" = A ] || ns=$NS2
	scrape "$1" || return 1
	ip netns exec $ns "$BIN/ksrtpctl" -j show > "$D/show-$1.json" || return 1
	$PY cmp "$D/scrape-$1.txt" "$D/show-$1.json" sdes
}

traffic() {
	exchange 50 || return 1
	sleep 0.2
	kernel_equal A && kernel_equal B || return 1
	# 50 RTP each way at least, and what A sent is what B received
	tx=$($PY get "$D/scrape-A.txt" "ksrtp_ctx_packets_total{method=\"sdes\",suite=\"$SUITE\",direction=\"tx\"}")
	rx=$($PY get "$D/scrape-B.txt" "ksrtp_ctx_packets_total{method=\"sdes\",suite=\"$SUITE\",direction=\"rx\"}")
	echo "# A tx=$tx B rx=$rx"
	[ "$tx" -ge 50 ] && [ "$tx" = "$rx" ] || return 1
	want B "ksrtp_ctx_auth_fail_total{method=\"sdes\",suite=\"$SUITE\",direction=\"rx\"}" 0 &&
		want A 'ksrtp_socket_tx_srtp_total{method="sdes"}' "$tx"
}
step "traffic: kernel counters by suite/direction equal ksrtpctl -j show" traffic

# ------------------------------------------------------------ rekeys

rekeys() {
	# ours (A), then the peer's (B) re-offer, as keyd_sdes.sh does them
	app A rekey && app B remote "$R" && app B wait rekeyed 3000 || return 1
	app B local && app A remote "$R" && app A wait rekeyed 3000 || return 1
	app B rekey && app A remote "$R" && app A wait rekeyed 3000 || return 1
	app A local && app B remote "$R" && app B wait rekeyed 3000 || return 1
	scrape A && scrape B || return 1
	want A 'ksrtp_keyd_rekeys_total{method="sdes",initiator="local"}' 1 &&
		want A 'ksrtp_keyd_rekeys_total{method="sdes",initiator="remote"}' 1 &&
		want B 'ksrtp_keyd_rekeys_total{method="sdes",initiator="local"}' 1 &&
		want B 'ksrtp_keyd_rekeys_total{method="sdes",initiator="remote"}' 1 || return 1
	# a rekey is not a new handshake
	want A "ksrtp_keyd_handshakes_completed_total$H" 1 &&
		want A "ksrtp_keyd_handshake_duration_seconds_count$H" 1 &&
		exchange 20 && kernel_equal A
}
step "rekeys both ways: counted by initiator, counters still equal ksrtpctl" rekeys

refused() {
	if app C rekey; then
		echo "# a rekey of an unanswered offer was accepted"
		return 1
	fi
	scrape A && want A 'ksrtp_keyd_request_errors_total{code="wrong_state"}' 1 &&
		want A 'ksrtp_keyd_request_errors_total{code="bad_request"}' 0
}
step "a refused request counts under its error code" refused

# ------------------------------------------------------------ deletes

deletes() {
	scrape A || return 1
	before=$($PY get "$D/scrape-A.txt" "ksrtp_ctx_packets_total{method=\"sdes\",suite=\"$SUITE\",direction=\"tx\"}")
	app A send 10 || return 1	# after the last scrape: read at the delete
	sleep 0.2
	app C delete && app A delete && app B delete || return 1
	scrape A && scrape B || return 1
	for st in new offered answering secure failed; do
		want A "$S\"$st\"}" 0 && want B "$S\"$st\"}" 0 || return 1
	done
	want A "ksrtp_keyd_handshakes_failed_total$H" 1 &&
		want A 'ksrtp_keyd_failures_total{method="sdes",reason="deleted_before_secure"}' 1 &&
		want B 'ksrtp_keyd_failures_total{method="sdes",reason="deleted_before_secure"}' 0 ||
		return 1
	# counters never go down; the 10 packets sent last were read at the delete
	want A "ksrtp_ctx_packets_total{method=\"sdes\",suite=\"$SUITE\",direction=\"tx\"}" \
		$((before + 10))
}
step "deletes: gauges back to 0, abandoned offer counted, counters kept" deletes

# ------------------------------------------------------------ HTTP

http() {
	code=$(ip netns exec $NS1 curl -s -o /dev/null -w '%{http_code}' \
		"http://127.0.0.1:$MPORT/")
	[ "$code" = 404 ] || { echo "# GET /: $code"; return 1; }
	code=$(ip netns exec $NS1 curl -s -o /dev/null -w '%{http_code}' -d x \
		"http://127.0.0.1:$MPORT/metrics")
	[ "$code" = 405 ] || { echo "# POST /metrics: $code"; return 1; }
	# bound to 127.0.0.1 only: not on the veth address, from either side
	if ip netns exec $NS2 curl -s -m 3 -o /dev/null "http://$IP1:$MPORT/metrics" ||
	   ip netns exec $NS1 curl -s -m 3 -o /dev/null "http://$IP1:$MPORT/metrics"; then
		echo "# metrics reachable on $IP1"
		return 1
	fi
	return 0
}
step "HTTP: 404 elsewhere, 405 for POST, not reachable beyond 127.0.0.1" http

refusals() {
	printf 'metrics_listen = localhost:9464\n' > "$D/bad.conf"
	out=$("$KEYD_BIN" -f -c "$D/bad.conf" -s "$D/bad.sock" -d '' 2>&1)
	rc=$?
	[ $rc = 2 ] && echo "$out" | grep -q 'metrics_listen: expected' ||
		{ echo "# bad address: rc=$rc $out"; return 1; }
	# keyd A holds the port: a second keyd there must fail, not share it
	out=$(ip netns exec $NS1 "$KEYD_BIN" -f -c "$D/keyd.conf" -s "$D/second.sock" -d '' 2>&1)
	rc=$?
	[ $rc = 1 ] && echo "$out" | grep -q 'cannot serve metrics' ||
		{ echo "# port in use: rc=$rc $out"; return 1; }
	[ ! -e "$D/second.sock" ]
}
step "start-up refusals: a host name, a port already in use" refusals

# ------------------------------------------------------------ sanitizers

step "both keyds stop cleanly: exit 0, no ASan/LSan/UBSan report" keyds_exit_clean A B

ktap_finish
