# SPDX-License-Identifier: GPL-2.0
#
# Shared by the ksrtp-keyd VM tests (keyd_sdes.sh, keyd_dtls*.sh): two
# network namespaces joined by a veth pair, a keyd and a keyd_app (a tiny
# media server) in each, and the helpers that drive them. Source after
# lib.sh, with KEYD_TEST naming the test (its scratch directory).

NS1=kd-a
NS2=kd-b
IP1=10.99.1.1
IP2=10.99.1.2
IP3=10.99.1.3		# a second address in $NS2: a third party (keyd C, app C)
PORT=40000
D=$(mktemp -d "/tmp/${KEYD_TEST:-keyd}.XXXXXX")
KEYD_A='' KEYD_B='' KEYD_C='' APP_A='' APP_B='' APP_C='' SID_A=''
PEER_PIDS=''	# a test's other processes, killed with the keyds and apps

cleanup() {
	exec 7>&- 8>&- 9>&- 5<&- 6<&- 4<&- 2>/dev/null
	for p in $PEER_PIDS $APP_A $APP_B $APP_C $KEYD_A $KEYD_B $KEYD_C; do
		kill "$p" 2>/dev/null
	done
	sleep 0.3
	for p in $PEER_PIDS $APP_A $APP_B $APP_C $KEYD_A $KEYD_B $KEYD_C; do
		kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	ip netns del $NS1 2>/dev/null
	ip netns del $NS2 2>/dev/null
	dump_logs
	rm -rf "$D"
}
trap cleanup EXIT
trap '' PIPE		# a dead app must fail a step, not kill the script

# ------------------------------------------------------------ helpers

# keyd_start A|B|C: a keyd in that side's namespace (C: $NS2 too); its own
# socket and state. KEYD_BIN: another keyd binary (e.g. the sanitizer build).
keyd_start() {
	ns=$NS1
	[ "$1" = A ] || ns=$NS2
	conf=$D/keyd.conf
	# a keyd of its own configuration where the test wrote one
	[ -e "$D/keyd-$1.conf" ] && conf=$D/keyd-$1.conf
	ip netns exec $ns "${KEYD_BIN:-$BIN/ksrtp-keyd}" -f -c "$conf" -s "$D/keyd-$1.sock" \
		-d "$D/state-$1" >> "$D/keyd-$1.log" 2>&1 &
	eval "KEYD_$1=$!"
	i=0
	until "$BIN/ksrtp-keydctl" -s "$D/keyd-$1.sock" -t 2 ping > /dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.1
	done
}

# app_start A|B|C [NS LOCAL PEER [KEYD]]: the media app. Commands go to fd 7 (A),
# 8 (B) or 9 (C) and answers come back on fd 5 (A), 6 (B) or 4 (C), all
# FIFOs: `read` needs no fork. C lives in $NS2 on $IP3 and talks to A,
# unless NS, LOCAL and PEER (IP:PORT) say otherwise (it then uses keyd
# KEYD, by default A).
app_start() {
	case $1 in
	A) ns=$NS1 l=$IP1:$PORT p=$IP2:$PORT k=A ;;
	B) ns=$NS2 l=$IP2:$PORT p=$IP1:$PORT k=B ;;
	*) ns=$NS2 l=$IP3:$PORT p=$IP1:$PORT k=C ;;
	esac
	[ $# -ge 4 ] && { ns=$2 l=$3 p=$4 k=${5:-A}; }
	mkfifo "$D/app-$1.in" "$D/app-$1.out"
	ip netns exec $ns "$BIN/keyd_app" -n "$1" -s "$D/keyd-$k.sock" -l $l -p $p \
		< "$D/app-$1.in" > "$D/app-$1.out" 2> "$D/app-$1.err" &
	eval "APP_$1=$!"
	case $1 in
	A) exec 7> "$D/app-A.in" 5< "$D/app-A.out" ;;
	B) exec 8> "$D/app-B.in" 6< "$D/app-B.out" ;;
	*) exec 9> "$D/app-C.in" 4< "$D/app-C.out" ;;
	esac
}

# app A|B COMMAND...: run one app command; its answer (without "ok ") in $R.
app() {
	who=$1
	shift
	case $who in
	A) echo "$*" >&7 && read -r R <&5 ;;
	B) echo "$*" >&8 && read -r R <&6 ;;
	*) echo "$*" >&9 && read -r R <&4 ;;
	esac || { echo "# app $who: no answer to '$*' (app gone?)"; R=; return 1; }
	case $R in
	ok*) R=${R#ok }; return 0 ;;
	*) echo "# app $who: $* -> $R" | cut -c1-300; return 1 ;;
	esac
}

# field NAME "k=v k=v": the value of NAME in $F, without forking
field() {
	F=${2#*"$1="}
	[ "$F" != "$2" ] || { F=; return 1; }
	F=${F%% *}
}

# offer/answer: OFFERER ANSWERER; the answerer applies the offer, answers.
negotiate() {
	app "$1" local || return 1
	offer=$R
	app "$2" remote "$offer" || return 1
	app "$2" local || return 1
	answer=$R
	app "$1" remote "$answer" || return 1
}

json_get() {	# json_get KEY: first "KEY":value in $R
	echo "$R" | sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1
}

# wait_for FILE PATTERN SECONDS: until grep finds PATTERN in FILE (seconds, not
# iterations: a fork costs a lot under TCG)
wait_for() {
	end=$(($(date +%s) + $3))
	until grep -q "$2" "$1" 2>/dev/null; do
		[ "$(date +%s)" -gt $end ] && { echo "# no '$2' in $(basename "$1") after $3 s"; return 1; }
		sleep 0.3
	done
}

# ------------------------------------------------------------ setup

# keyd_setup WHO CONF: the namespaces and the veth pair ($IP1 in $NS1; $IP2
# and $IP3 in $NS2), CONF as every keyd's configuration, then a keyd and an
# app for each of WHO (e.g. "A B C").
keyd_setup() {
	ip netns add $NS1 && ip netns add $NS2 || return 1
	ip link add kd-veth1 type veth peer name kd-veth2 || return 1
	ip link set kd-veth1 netns $NS1 && ip link set kd-veth2 netns $NS2 || return 1
	ip -n $NS1 addr add $IP1/24 dev kd-veth1 && ip -n $NS2 addr add $IP2/24 dev kd-veth2 || return 1
	ip -n $NS2 addr add $IP3/24 dev kd-veth2 || return 1
	for ns in $NS1 $NS2; do
		ip -n $ns link set lo up || return 1
	done
	ip -n $NS1 link set kd-veth1 up && ip -n $NS2 link set kd-veth2 up || return 1
	printf '%s\n' "$2" > "$D/keyd.conf"
	for w in $1; do
		keyd_start "$w" || return 1
	done
	for w in $1; do
		app_start "$w" || return 1
	done
}

# setup_or_skip PLAN: after the setup step; if it failed, the rest of the
# PLAN points are skipped and the test ends.
setup_or_skip() {
	[ "$KSFT_FAIL" = 0 ] && return 0
	for n in $(seq 2 "$1"); do ktap_skip "${KEYD_TEST}_$n" "setup failed"; done
	ktap_finish
}

# keyds_exit_clean WHO...: SIGTERM those keyds (the sanitizer build), each must
# exit 0 with no ASan/LSan/UBSan report in any keyd log.
keyds_exit_clean() {
	rcs=''
	for w in "$@"; do
		eval "p=\$KEYD_$w"
		kill -TERM "$p" || return 1
	done
	for w in "$@"; do
		eval "p=\$KEYD_$w"
		wait "$p"
		rcs="$rcs $w=$?"
		eval "KEYD_$w=''"
	done
	! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$D"/keyd-*.log || return 1
	case $rcs in *=[1-9]*) echo "# exit status$rcs"; return 1 ;; esac
}

# ------------------------------------------------------------ media

# exchange N: N packets each way between A and B, all delivered and intact.
exchange() {
	app A reset && app B reset || return 1
	app A send "$1" && app B send "$1" || return 1
	# every tenth packet comes with an RTCP RR: expect waits for those too
	for who in A B; do
		app $who expect "$1" 5000 || return 1
		field bad "$R"
		[ "$F" = 0 ] || { echo "# $who: bad packets: $R"; return 1; }
	done
}

# srtp_peer_traffic SUITE ROLE HEX [APP PORT]: keyd_srtp_peer (libsrtp2) on
# $IP2:PORT (default $PORT) with another implementation's keys (-r
# client|server: DTLS keying material; -r keys: its TX then RX key ||
# salt); 20 RTP (+2 RTCP) each way with APP (default A) on $IP1:PORT,
# plaintext checked on both ends, no authentication failure.
srtp_peer_traffic() {
	a=${4:-A}
	pp=${5:-$PORT}
	rm -f "$D/ready"
	ip netns exec $NS2 "$BIN/keyd_srtp_peer" -l $IP2:$pp -p $IP1:$pp -s "$1" -x "$3" \
		-r "$2" -a "$D/ready" -n 20 > "$D/peer.out" 2>&1 &
	pid=$!
	i=0
	while [ ! -s "$D/ready" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "# peer: $(cat "$D/peer.out")"; return 1; }
		sleep 0.1
	done
	app $a reset && app $a send 20 || return 1
	app $a expect 20 10000 || { kill $pid; echo "# peer: $(cat "$D/peer.out")"; return 1; }
	wait $pid || { echo "# peer: $(cat "$D/peer.out")"; return 1; }
	echo "# libsrtp2 peer: $(cat "$D/peer.out")"
	field bad "$R"
	[ "$F" = 0 ] || { echo "# keyd_app: $R"; return 1; }
	app $a status || return 1
	[ "$(json_get rx_auth_fail)" = 0 ] || { echo "# $R" | cut -c1-600; return 1; }
}

# app_ip A|B|C: that app's address
app_ip() {
	case $1 in A) echo $IP1 ;; B) echo $IP2 ;; *) echo $IP3 ;; esac
}

# no_loss [APPS]: the streams of APPS (default A B) stop; then every flow
# between two of them carried more than $NO_LOSS_MIN packets (default 0),
# the receiver got every one the sender sent, no payload counter is missing
# between the first and the highest received, and no app saw a bad packet
# or ENOKEY.
no_loss() {
	set -- ${*:-A B}
	for who in "$@"; do
		app $who stream 0 || return 1
	done
	sleep 0.3
	sent='' recv='' bad=0
	for who in "$@"; do
		app $who stats || return 1
		echo "# $who: $R"
		field bad "$R"; [ "$F" = 0 ] || bad=1
		field enokey "$R"; [ "$F" = 0 ] || bad=1
		ip=$(app_ip $who)
		for pe in $R; do
			case $pe in peer=*) pe=${pe#peer=} ;; *) continue ;; esac
			pa=${pe%%:*} pe=${pe#*/}
			ps=${pe%%/*} pe=${pe#*/}
			pr=${pe%%/*} pl=${pe#*/}
			[ "$pl" = 0 ] || bad=1
			sent="$sent $ip>$pa=$ps" recv="$recv $pa>$ip=$pr"
		done
	done
	for f in $sent; do
		[ "${f#*=}" -gt "${NO_LOSS_MIN:-0}" ] || bad=1
		case "$recv " in *" $f "*) ;; *) bad=1 ;; esac
	done
	[ $bad = 0 ] && return 0
	echo "# flows sent:$sent; received:$recv"
	for ns in $NS1 $NS2; do
		echo "# $ns UDP: $(ip netns exec $ns awk '/^Udp:/ { if (h) print; h = 1 }' /proc/net/snmp)"
	done
	for who in "$@"; do
		app $who status > /dev/null &&
			echo "# $who kernel: rx_auth_fail=$(json_get rx_auth_fail) rx_replay_drop=$(json_get rx_replay_drop)"
	done
	return 1
}

# keyd_crash_restart: keyd A SIGKILLed (media flowing), then started again
keyd_crash_restart() {
	kill -9 "$KEYD_A"
	wait "$KEYD_A" 2>/dev/null
	sleep 0.5				# media flows with keyd A dead
	keyd_start A
}

# restored_no_loss: the restarted keyd A adopted its session from the state
# file and the kernel, secure, and no packet was lost; A's status in $R
restored_no_loss() {
	grep -q 'session restored' "$D/keyd-A.log" || return 1
	app A reconnect || return 1
	[ "$R" = secure ] || { echo "# restored state: $R"; return 1; }
	sleep 0.5
	no_loss || return 1
	app A status || return 1
	[ "$(json_get restored)" = true ] && [ "$(json_get state)" = secure ]
}

# ------------------------------------------------------------ DTLS

# fp_of ATTRS: the a=fingerprint value in an attribute array
fp_of() {
	echo "$1" | sed -n 's/.*"a=fingerprint:\([^"]*\)".*/\1/p'
}

# tamper ATTRS: the same attributes with the fingerprint's first byte changed
tamper() {
	echo "$1" | sed 's/sha-256 \([0-9A-F][0-9A-F]\)/sha-256 X\1/; s/X00/11/; s/X[0-9A-F][0-9A-F]/00/'
}

# templates NS: the number of any-SSRC templates keyd installed there
templates() {
	ip netns exec "$1" "$BIN/ksrtpctl" show | grep -c template
}

# no_templates NS: keyd installed nothing (or removed it) in that namespace
no_templates() {
	out=$(ip netns exec "$1" "$BIN/ksrtpctl" show)
	case $out in *template*) echo "# $1 still has contexts:"; echo "$out" | sed 's/^/#   /'; return 1 ;; esac
	return 0
}

# fork_offer OPTS_B OPTS_C: A offers (no address: open to forks); B and C
# (with those create options) apply the offer and answer: $offer,
# $answer_b, $answer_c. The caller applies the answers to A.
fork_offer() {
	app A flush && app B flush && app C flush || return 1
	app A create offerer method dtls || return 1
	app B create answerer $1 method dtls || return 1
	app C create answerer $2 method dtls || return 1
	app A local || return 1
	offer=$R
	app B remote "$offer" && app B local || return 1
	answer_b=$R
	app C remote "$offer" && app C local || return 1
	answer_c=$R
}
