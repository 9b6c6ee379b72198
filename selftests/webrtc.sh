#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A real WebRTC client: headless Chromium (Debian's chromium-headless-shell,
# fake audio device) in one network namespace calls our media server in
# another, across a veth pair. webrtc_signal.py serves the page and answers
# the offer over HTTP; webrtc_app is the media server: an ICE-lite agent on
# its one UDP socket (the kernel's RFC 7983 demux hands it the browser's
# STUN), which it gave to ksrtp-keyd for DTLS-SRTP (keyd answers
# a=setup:passive, Chromium is the DTLS client). The app reads Chromium's Opus
# as plain RTP and echoes it back under its own SSRC; the page POSTs its
# getStats() once the echo is decoded. Checked: keyd's secure event (the suite
# Chromium reports, the offer's fingerprint verified); STUN answered, none
# refused; the browser's RTP in the clear with its 0xBEDE extension carrying
# the negotiated ssrc-audio-level id, all of it echoed; Chromium received and
# decoded the echo; the kernel's contexts counted it with no authentication
# failure; the capture holds only STUN, DTLS, SRTP and SRTCP, every RTP-shaped
# datagram longer than the plain packet by the suite's tag and its payload
# unlike the plaintext.
#
# Runs as root with ksrtp.ko loaded (selftests/run.sh in the VM, on every
# kernel). Under TCG Chromium's start takes most of the time (see
# Documentation/testing.md).
. "$(dirname "$0")/lib.sh"

NS1=wr-srv		# keyd, webrtc_app, webrtc_signal.py
NS2=wr-web		# Chromium
IP1=10.99.8.1
IP2=10.99.8.2
PORT=40000
HTTP=8080
MIN=100			# echoed packets Chromium must decode: 2 s of 20 ms Opus
# from Chromium's start to the page's stats: ~20-45 s, 130 s with a kernel
# build beside the VM
CALL_TIMEOUT=${WEBRTC_CALL_TIMEOUT:-300}
PY=/usr/bin/python3	# Debian's (a pyenv python3 may come first on PATH)
SELF=$(cd "$(dirname "$0")" && pwd)
PLAN=8

ktap_plan $PLAN
# the binary itself: Debian's /usr/bin wrapper does not exec it, so its pid
# would not be Chromium's
CHROMIUM=/usr/lib/chromium/chromium-headless-shell
if [ ! -x "$CHROMIUM" ]; then
	i=0
	while [ $i -lt $PLAN ]; do
		i=$((i + 1))
		ktap_skip "webrtc $i" "chromium-headless-shell is not installed (scripts/deps.sh installs it)"
	done
	exit 0
fi

D=$(mktemp -d /tmp/webrtc.XXXXXX)
KEYD='' SIGNAL='' CAPTURE='' BROWSER='' TSHARK='' T_BROWSER=$(date +%s)

cleanup() {
	for p in $BROWSER $TSHARK $CAPTURE $SIGNAL $KEYD; do
		kill "$p" 2>/dev/null
	done
	sleep 0.3
	for p in $BROWSER $TSHARK $CAPTURE $SIGNAL $KEYD; do
		kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	ip netns del $NS1 2>/dev/null
	ip netns del $NS2 2>/dev/null
	dump_logs 'dbus\|upower'	# Chromium's log less its D-Bus noise
	rm -rf "$D"
}
trap cleanup EXIT

# app COMMAND: one webrtc_app command through the signalling server; the
# answer (without "ok ") in $R
app() {
	R=$(ip netns exec $NS1 curl -sS --max-time 60 --data-binary "$*" \
		"http://$IP1:$HTTP/app") || { echo "# app $*: no answer"; return 1; }
	case $R in
	ok*) R=${R#ok}; R=${R# }; return 0 ;;
	*) echo "# app $*: $R" | cut -c1-300; return 1 ;;
	esac
}

field() {	# field NAME "k=v k=v": the value in $F
	F=$(echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p")
	[ -n "$F" ]
}

json_get() {	# json_get KEY: first "KEY":value in $R
	echo "$R" | sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1
}

# ------------------------------------------------------------ steps

# within SECONDS WHAT CMD...: until CMD succeeds (seconds, not iterations: a
# fork costs a lot under TCG)
within() {
	secs=$1 what=$2
	end=$(($(date +%s) + secs))
	shift 2
	until "$@" > /dev/null 2>&1; do
		[ "$(date +%s)" -gt $end ] && { echo "# $what: not ready within $secs s"; return 1; }
		sleep 0.2
	done
}

# The namespaces; then the signalling server, keyd and the capture start
# together, and Chromium as soon as the server listens: its start is the
# longest part of the test under TCG. The server holds Chromium's offer until
# keyd answers and the capture runs ($D/go), and only then starts the app.
setup() {
	ip netns add $NS1 && ip netns add $NS2 || return 1
	ip link add wr-veth1 type veth peer name wr-veth2 || return 1
	ip link set wr-veth1 netns $NS1 && ip link set wr-veth2 netns $NS2 || return 1
	ip -n $NS1 addr add $IP1/24 dev wr-veth1 && ip -n $NS2 addr add $IP2/24 dev wr-veth2 ||
		return 1
	for ns in $NS1 $NS2; do
		ip -n $ns link set lo up || return 1
	done
	ip -n $NS1 link set wr-veth1 up && ip -n $NS2 link set wr-veth2 up || return 1
	ip netns exec $NS1 $PY "$SELF/webrtc_signal.py" $IP1 $HTTP $IP1 $PORT "$D" -- \
		"$BIN/webrtc_app" -s "$D/keyd.sock" -l $IP1:$PORT -o "$D/packets.txt" \
		> "$D/signal.log" 2>&1 &
	SIGNAL=$!
	printf 'log_level = info\n' > "$D/keyd.conf"
	ip netns exec $NS1 "$BIN/ksrtp-keyd" -f -c "$D/keyd.conf" -s "$D/keyd.sock" -d "" \
		> "$D/keyd.log" 2>&1 &
	KEYD=$!
	# every UDP datagram between the two sides, from before the first STUN:
	# the first 2000 (~15 s of the call; tshark is slow under TCG)
	ip netns exec $NS1 dumpcap -q -i wr-veth1 -f udp -c 2000 -w "$D/wire.pcap" \
		> "$D/dumpcap.log" 2>&1 &
	CAPTURE=$!
	within 60 "the signalling server" grep -q ready "$D/signal.log" || return 1
	browser
	within 60 "keyd" "$BIN/ksrtp-keydctl" -s "$D/keyd.sock" -t 2 ping || return 1
	within 60 "the capture" test -s "$D/wire.pcap" || return 1
	: > "$D/go"
	echo "# keyd and the capture ready $(($(date +%s) - T_BROWSER)) s after Chromium's start"
}

# Chromium as root in a throwaway VM: its sandbox needs setuid helpers or
# unprivileged user namespaces, so --no-sandbox, here only. getUserMedia
# needs a secure context, which http://10.x is not: the page's origin is
# declared one. Debian's headless shell, in one process and without zygotes:
# under TCG it gets to the offer several times sooner than the full browser
# (whose offer came after 40-104 s, or not within 200 s), and only in one
# process does the renderer see the secure-origin switch.
browser() {
	T_BROWSER=$(date +%s)
	HOME=$D ip netns exec $NS2 "$CHROMIUM" --single-process --no-zygote --no-sandbox \
		--disable-gpu --mute-audio \
		--use-fake-device-for-media-stream --use-fake-ui-for-media-stream \
		--autoplay-policy=no-user-gesture-required \
		--unsafely-treat-insecure-origin-as-secure="http://$IP1:$HTTP" \
		--user-data-dir="$D/chrome" --enable-logging=stderr --v=0 \
		"http://$IP1:$HTTP/" > "$D/chromium.log" 2>&1 &
	BROWSER=$!
}

since() { echo $(($(date +%s) - $1)); }

call() {
	t_page='' t_offer=''
	while [ ! -s "$D/stats.json" ]; do
		[ -z "$t_page" ] && grep -q '"GET / ' "$D/signal.log" && t_page=$(since $T_BROWSER)
		[ -z "$t_offer" ] && [ -s "$D/answer.sdp" ] && t_offer=$(since $T_BROWSER)
		[ "$(since $T_BROWSER)" -ge "$CALL_TIMEOUT" ] &&
			{ echo "# no stats from the page after $CALL_TIMEOUT s"; return 1; }
		kill -0 $BROWSER 2>/dev/null || { echo "# chromium exited"; return 1; }
		sleep 0.5
	done
	echo "# Chromium started; page fetched after ${t_page:-?} s," \
		"offer answered after ${t_offer:-?} s, stats after $(since $T_BROWSER) s"
	sed 's/^/# page: /' "$D/page.log" 2>/dev/null
	# The call is still up (the page holds it; keyd's session, the kernel's
	# contexts): what the app and the kernel counted so far, and the
	# capture's end. Chromium is frozen first: on two TCG CPUs its media
	# (50 packets a second each way, echoed) slowed these reads to 30 s.
	kill -STOP $BROWSER
	app stats && STATS=$R || return 1
	ip netns exec $NS1 "$BIN/ksrtpctl" -j show > "$D/show.json" || return 1
	kill $CAPTURE 2>/dev/null	# it may have stopped at its packet count
	wait $CAPTURE 2>/dev/null
	CAPTURE=''
	# tshark reads the capture while the next steps run (the wire step)
	tshark -r "$D/wire.pcap" -o rtp.heuristic_rtp:TRUE -o rtcp.heuristic_rtcp:TRUE \
		-Y "udp.port == $PORT" -T fields -e frame.protocols -e udp.payload \
		> "$D/wire.txt" 2> "$D/tshark.err" &
	TSHARK=$!
	# nothing of Chromium's shutdown is tested
	kill -KILL $BROWSER 2>/dev/null
	wait $BROWSER 2>/dev/null
	BROWSER=''
	echo "# counters read, capture and Chromium stopped after $(since $T_BROWSER) s"
	echo "# $(grep -c . "$D/packets.txt") RTP packets logged by the app, capture: $(grep 'Packets captured' "$D/dumpcap.log")"
	grep -q '^a=ice-lite' "$D/answer.sdp" && grep -q '^a=setup:passive' "$D/answer.sdp" &&
		grep -q '^a=setup:actpass' "$D/offer.sdp" ||
		{ sed 's/^/# answer: /' "$D/answer.sdp"; return 1; }
}

secure() {
	app wait secure 10000 || return 1
	EV=$R
	echo "# $EV"
	SUITE=$(json_get suite)
	want=$(sed -n 's/^a=fingerprint:sha-256 \([0-9A-Fa-f:]*\).*/\1/p' "$D/offer.sdp" | head -n1)
	[ "$(json_get method)" = dtls ] && [ "$(json_get role)" = server ] &&
		[ "$(json_get pfs)" = true ] && [ "$(json_get verified)" = true ] || return 1
	got=$(json_get fingerprint)
	[ "$(echo "${got#sha-256 }" | tr a-f A-F)" = "$(echo "$want" | tr a-f A-F)" ] ||
		{ echo "# keyd verified $(json_get fingerprint), the offer has $want"; return 1; }
	# the suite Chromium reports is compared in the getStats step
	case $SUITE in AES_CM_128_HMAC_SHA1_80|AES_CM_128_HMAC_SHA1_32|AEAD_AES_*_GCM) ;;
	*) return 1 ;; esac
}

ice_lite() {
	echo "# $STATS"
	field stun "$STATS" && [ "$F" -ge 1 ] || { echo "# no STUN answered"; return 1; }
	field stun_bad "$STATS" && [ "$F" = 0 ] || { echo "# STUN refused"; return 1; }
	grep -q 'STUN.*refused' "$D/signal.log" && return 1
	return 0
}

plain_rtp() {
	read -r neg < "$D/negotiated"
	echo "# negotiated: $neg"
	field ssrc "$STATS" && BROWSER_SSRC=$F
	field rtp "$STATS" && rtp=$F
	[ "$rtp" -ge $MIN ] || { echo "# $rtp RTP packets from Chromium"; return 1; }
	for k in pt bede ext echoed; do
		field $k "$STATS" && [ "$F" = "$rtp" ] ||
			{ echo "# $k=$F of $rtp RTP packets"; return 1; }
	done
	# "other": datagrams neither STUN nor RTP/RTCP (the app logs the first few)
	grep 'webrtc_app:' "$D/signal.log" | head -n 5
	for k in enokey senderr; do
		field $k "$STATS" && [ "$F" = 0 ] || { echo "# $k=$F"; return 1; }
	done
	field rtcp "$STATS" && [ "$F" -ge 1 ] || { echo "# no RTCP from Chromium"; return 1; }
	grep -q "^a=ssrc:$BROWSER_SSRC " "$D/offer.sdp" ||
		{ echo "# SSRC $BROWSER_SSRC is not the offer's"; return 1; }
}

page_stats() {
	$PY "$SELF/webrtc_check.py" stats "$D/stats.json" "$SUITE" $MIN
}

kernel_counters() {
	$PY "$SELF/webrtc_check.py" kernel "$D/show.json" $PORT "$BROWSER_SSRC" \
		"$(sed -n 's/.*ssrc=\([0-9]*\).*/\1/p' "$D/negotiated")" $MIN
}

wire() {
	[ -n "$TSHARK" ] && wait $TSHARK || { echo "# tshark failed"; return 1; }
	TSHARK=''
	$PY "$SELF/webrtc_check.py" wire "$D/wire.txt" "$D/packets.txt" "$SUITE" $MIN
}

step "setup: namespaces, the signalling server, keyd, a capture; Chromium started" setup
step "Chromium calls: page served, offer answered (ice-lite, setup passive), stats posted" call
step "keyd secure: DTLS-SRTP with Chromium, its certificate matches the offer" secure
step "ICE-lite: Chromium's connectivity checks answered, none refused" ice_lite
step "Chromium's RTP read in the clear: Opus, 0xBEDE with the audio-level id, echoed" plain_rtp
step "Chromium's getStats: connected, keyd's suite, the echo received and decoded" page_stats
step "kernel counters mid-call: both directions through the contexts, no auth failure" kernel_counters
step "wire: only STUN, DTLS, SRTP and SRTCP; no RTP in the clear" wire
ktap_finish
