#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ksrtp-keyd and ksrtp.ko in real calls with baresip (libre's own SRTP and
# DTLS-SRTP), sipp as the SIP user agent of the ksrtp side. One network
# namespace, everything on 127.0.0.1: keyd, keyd_app (the media server: its
# socket is attached to ksrtp, it reads and writes plain RTP), sipp and
# baresip (auto-answer, its audio source a generated wav).
#
# Each call: keyd makes the offer's attributes, sipp sends them in an INVITE,
# the 200 OK's attributes go back to keyd, and media flows both ways for a
# few seconds. Checked per call:
#  - the suite both sides report (keyd's "secure" event, baresip's log);
#  - keyd_app reads baresip's tone as plain RTP: PCMU, the SSRC of its
#    a=ssrc, every payload one repeated byte, 16 levels in turn;
#  - baresip decrypted keyd_app's RTP: its decoded audio (sndfile dump)
#    holds keyd_app's frames byte for byte, and it logs no decrypt error;
#  - ksrtp's counters: packets protected and accepted, no auth failures;
#  - the call ends cleanly (baresip hangs up, sipp exits 0).
# SDES: keyd's default offer (baresip takes the first line it supports:
# AEAD_AES_256_GCM), then one offer each of AES_CM_128_HMAC_SHA1_80,
# AES_CM_128_HMAC_SHA1_32 and AEAD_AES_128_GCM. DTLS-SRTP: keyd offers
# actpass, baresip answers active (the DTLS client); keyd's default profiles
# and AES_CM_128_HMAC_SHA1_80 alone; the fingerprints cross-checked.
#
# Runs as root with ksrtp.ko loaded (selftests/run.sh in the VM); cwd is the
# project tree, binaries in build/bin. Without baresip or sipp (Debian
# baresip-core, sip-tester; scripts/deps.sh installs them) every point is
# skipped with the reason.
. "$(dirname "$0")/lib.sh"

KEYD_TEST=keyd_baresip
. "$(dirname "$0")/keyd_lib.sh"

NS1=kd-br NS2=kd-br		# one namespace; keyd_lib's cleanup deletes it
IP1=127.0.0.1 IP2=127.0.0.1	# keyd_app's peer is set per call (peer)
PORT=40000
SIP=127.0.0.1:5072
BR=$PWD/selftests/baresip
MODS=/usr/lib/baresip/modules
MIN=80			# packets each way per call (about 4 s at 50 per second)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

NAMES="setup
sdes default offer: baresip takes AEAD_AES_256_GCM
sdes AES_CM_128_HMAC_SHA1_80
sdes AES_CM_128_HMAC_SHA1_32: RTP both ways; SRTCP refused both ways (libre's 32-bit SRTCP tag)
sdes AEAD_AES_128_GCM
dtls default profiles, baresip the client
dtls AES_CM_128_HMAC_SHA1_80
baresip and keyd stop cleanly"
ktap_plan "$(echo "$NAMES" | wc -l)"

why=
for t in baresip sipp; do
	command -v $t > /dev/null 2>&1 || why="${why:+$why, }no $t"
done
for m in srtp dtls_srtp g711 aufile sndfile stdio; do
	[ -e "$MODS/$m.so" ] || why="${why:+$why, }no baresip module $m"
done
command -v "$PY" > /dev/null 2>&1 || why="${why:+$why, }no python3"
if [ -n "$why" ]; then
	echo "$NAMES" | while read -r n; do
		ktap_skip "$n" "$why (scripts/deps.sh installs baresip-core and sip-tester)"
	done
	exit 0
fi

BARESIP='' BLOG=$D/baresip.log

# ------------------------------------------------------------ helpers

# json_lines '["a","b"]': one attribute per line (keyd's lines have no quotes)
json_lines() {
	echo "$1" | sed 's/^\["//; s/"\]$//; s/","/\n/g'
}

# lines_json: stdin's lines as a JSON array of strings
lines_json() {
	sed 's/.*/"&"/' | paste -s -d, - | sed 's/^/[/; s/$/]/'
}

# answer_sdp FILE: the SDP body of the 200 OK to the INVITE in sipp's
# message trace, without CRs
answer_sdp() {
	tr -d '\r' < "$1" | awk '
		/^-----/ { if (m && inv) exit; m = 0; next }
		/^SIP\/2.0 200/ { m = 1; inv = 0; body = 0; next }
		m && /^CSeq: [0-9]+ INVITE/ { inv = 1 }
		m && body { print }
		m && /^$/ { body = 1 }'
}

# Under TCG a fork costs a lot: the waits count seconds, not iterations.

# wait_pid PID SECONDS: its exit status, or 124 (and killed) at the timeout
wait_pid() {
	end=$(($(date +%s) + $2))
	while kill -0 "$1" 2>/dev/null; do
		if [ "$(date +%s)" -gt $end ]; then
			kill "$1" 2>/dev/null
			wait "$1" 2>/dev/null
			return 124
		fi
		sleep 0.3
	done
	wait "$1"
}

# baresip_cmd CMD: one command on baresip's stdin (the stdio module)
baresip_cmd() {
	echo "$1" >&3
}

# at: seconds since the step started (step() in lib.sh sets t0)
at() {
	echo "$(($(date +%s) - t0)) s"
}

# blog_since N: baresip's log after line N, its status line's CRs as newlines
blog_since() {
	tail -n "+$(($1 + 1))" "$BLOG" | tr '\r' '\n' | grep -v '^\[[0-9]*:[0-9:]*\] audio='
}

# ------------------------------------------------------------ setup

setup() {
	ip netns add $NS1 || return 1
	ip -n $NS1 link set lo up || return 1
	cat > "$D/keyd.conf" <<-EOF
	allow_insecure_signalling = no
	log_level = info
	EOF
	keyd_start A || return 1
	app_start A || return 1
	app A foreign || return 1
	mkdir -p "$D/baresip" "$D/snd" || return 1
	"$PY" "$BR/media.py" tone "$D/tone8k.wav" 120 || return 1
	sed "s|@DIR@|$D|g" "$BR/config" > "$D/baresip/config" || return 1
	cp "$BR/accounts" "$D/baresip/accounts" || return 1
	mkfifo "$D/baresip.in" || return 1
	# -t: a hard bound on baresip's life, whatever happens to this script
	ip netns exec $NS1 baresip -f "$D/baresip" -t 580 < "$D/baresip.in" > "$BLOG" 2>&1 &
	BARESIP=$!
	PEER_PIDS=$BARESIP
	exec 3> "$D/baresip.in"
	wait_for "$BLOG" 'baresip is ready' 30 || return 1
	grep -E 'mediaenc:|aucodec: PCMU' "$BLOG" | sed 's/^/# /'
}

step "setup: namespace, keyd, keyd_app, baresip" setup
if [ "$KSFT_FAIL" != 0 ]; then
	echo "$NAMES" | sed 1d | while read -r n; do ktap_skip "$n" "setup failed"; done
	exit 1
fi

# ------------------------------------------------------------ one call

# call USER PROTO EXPECT_SUITE CREATE_OPTS...: a call from keyd's side to
# baresip's account USER (sdes: srtp-mand, dtls: dtls_srtp), checked end to
# end; $EV is keyd's secure event, $ANSWER the answer's attributes. Whatever
# fails, the call is ended on both sides before the next one.
call() {
	rm -f "$D"/snd/* "$D"/sipp-*.log
	bl0=$(wc -l < "$BLOG")
	sipp=
	call_media "$@"
	ok=$?
	[ $ok = 0 ] || echo "# the call failed: hanging up"
	echo "# hangup ($(at))"
	# /hangup acts on baresip's current account, not the one called
	baresip_cmd "/uafind sip:$1@$SIP"
	baresip_cmd /hangup
	if [ -n "$sipp" ]; then
		wait_pid $sipp 30
		rc=$?
		[ $rc = 0 ] || { echo "# sipp exited $rc"; sed 's/^/#   /' "$D/sipp-out.log" | tail -n 5; ok=1; }
	fi
	wait_for "$BLOG" 'terminated (duration' 10 || ok=1
	blog_since "$bl0" > "$D/call.blog"
	grep -E 'SRTP|DTLS|dtls_srtp.*(verified|Profile)|established|decrypt|error|fail' "$D/call.blog" |
		uniq -c | sed 's/^ *1 //; s/^/# baresip: /'
	[ $ok = 0 ] || { app A delete; return 1; }
	grep -q "established, receiving from 127.0.0.1:$PORT" "$D/call.blog" ||
		{ echo "# baresip did not get our RTP"; ok=1; }
	# libre puts the *_32 suites' 32-bit tag on SRTCP too (RFC 5764 §4.1.2: 80
	# bits): it refuses every SRTCP packet of ours, 8-byte RR + 4 + 10 = 22
	if [ "$RTCP_TAG_QUIRK" = 1 ]; then
		grep -q 'failed to decrypt RTCP packet with 22 bytes' "$D/call.blog" ||
			{ echo "# baresip took our SRTCP: libre's SRTCP tag fixed?"; ok=1; }
		grep -v 'failed to decrypt RTCP packet with 22 bytes' "$D/call.blog" > "$D/call.rest"
	else
		cp "$D/call.blog" "$D/call.rest"
	fi
	if grep -q 'audio error' "$D/call.rest"; then
		echo "# the call outlived baresip's tone: it did not end by our hangup"
		ok=1
	fi
	if grep -qi 'decrypt\|auth.*fail\|replay' "$D/call.rest"; then
		echo "# baresip failed to decrypt"
		ok=1
	fi
	dump=$(ls "$D"/snd/*-dec.wav 2>/dev/null | head -n 1)
	"$PY" "$BR/media.py" call "$D/show.json" $PORT "$bssrc" "$MIN" "$RTCP_TAG_QUIRK" \
		"${dump:-$D/snd/none-dec.wav}" > "$D/check.out" 2>&1 || ok=1
	sed 's/^/# /' "$D/check.out"
	app A delete || ok=1
	return $ok
}

call_media() {
	user=$1 proto=$2 want=$3
	shift 3

	app A create offerer "$@" || return 1
	app A local || return 1
	json_lines "$R" > "$D/offer.txt"
	echo "# offer: $(sed 's/inline:[^|]*/inline:.../' "$D/offer.txt" | paste -s -d' ' -)"
	awk -v f="$D/offer.txt" -v p="$proto" '
		/^MEDIA_ATTRS$/ { while ((getline l < f) > 0) print l; next }
		{ gsub("MEDIA_PROTO", p); print }' "$BR/uac.xml" > "$D/uac.xml" || return 1

	(cd "$D" && exec ip netns exec $NS1 sipp -sf "$D/uac.xml" -s "$user" $SIP \
		-i 127.0.0.1 -p 5080 -mi 127.0.0.1 -mp 30000 -set mport $PORT -m 1 \
		-nostdin -timeout 400 -timeout_error -trace_logs -log_file "$D/sipp-log.log" \
		-trace_msg -message_file "$D/sipp-msg.log" > "$D/sipp-out.log" 2>&1) &
	sipp=$!
	wait_for "$D/sipp-log.log" 'ANSWER m=audio' 30 || return 1
	echo "# answered ($(at))"
	answer_sdp "$D/sipp-msg.log" > "$D/answer.sdp"
	sed -n 's/inline:[^|]*/inline:.../; /^m=\|^a=crypto\|^a=fingerprint\|^a=setup\|^a=ssrc\|^a=rtcp-mux/s/^/# answer: /p' \
		"$D/answer.sdp"
	mport=$(sed -n 's/^m=audio \([0-9]*\) .*/\1/p' "$D/answer.sdp")
	bssrc=$(sed -n 's/^a=ssrc:\([0-9]*\) .*/\1/p' "$D/answer.sdp" | head -n 1)
	[ -n "$mport" ] && [ -n "$bssrc" ] || { echo "# no m=audio port or a=ssrc"; return 1; }
	ANSWER=$(grep '^a=' "$D/answer.sdp" | lines_json)

	# the offerer learns baresip's address from the answer
	app A peers 127.0.0.1:$mport || return 1
	app A answer 127.0.0.1:$mport "$ANSWER" || return 1
	app A wait secure 20000 || return 1
	EV=$R
	echo "# keyd ($(at)): $(echo "$EV" | cut -c1-300)"
	R=$EV
	[ "$(json_get suite)" = "$want" ] || { echo "# suite $(json_get suite), want $want"; return 1; }
	app A status || return 1
	[ "$(json_get remote)" = "127.0.0.1:$mport" ] || { echo "# keyd's remote: $(json_get remote)"; return 1; }

	# media: keyd_app streams 50 RTP packets a second (an RTCP RR every
	# tenth), baresip its tone
	app A reset && app A stream 50 || return 1
	# until both sides sent well over MIN (what was buffered before the
	# keys does not count for keyd_app's side: it starts sending now)
	end=$(($(date +%s) + 60))
	while [ "$(date +%s)" -le $end ]; do
		app A fstats || return 1
		field rtp "$R"
		if [ "$F" -ge $((MIN + 20)) ]; then
			app A stats || return 1
			field sent "$R"
			[ "$F" -ge $((MIN + 40)) ] && break
		fi
		sleep 0.5
	done
	app A stream 0 || return 1
	sleep 0.3
	app A stats || return 1
	echo "# keyd_app sent ($(at)): $R"
	field sent "$R"; sent=$F; field bad "$R"; bad=$F; field enokey "$R"; enokey=$F
	field senderr "$R"; senderr=$F
	app A fstats || return 1
	echo "# keyd_app got from baresip: $R"
	fs=$R
	good=1
	[ "$sent" -ge "$MIN" ] && [ "$enokey$senderr$bad" = 000 ] || { echo "# send side"; good=0; }
	field rtp "$fs"; rtp=$F
	[ "$rtp" -ge "$MIN" ] || { echo "# too few RTP packets from baresip"; good=0; }
	field pt0 "$fs"; [ "$F" = "$rtp" ] || { echo "# not all PCMU"; good=0; }
	field ssrc "$fs"; [ "$F" = "$bssrc" ] || { echo "# SSRC $F, a=ssrc $bssrc"; good=0; }
	field ssrcs "$fs"; [ "$F" = 1 ] || { echo "# $F SSRCs"; good=0; }
	field len "$fs"; [ "$F" = 172 ] || { echo "# length $F"; good=0; }
	field uniform "$fs"; [ "$F" = "$rtp" ] || { echo "# payloads not the tone"; good=0; }
	field period_bad "$fs"; [ "$F" = 0 ] || { echo "# tone out of order"; good=0; }
	field levels "$fs"; [ "$F" = 16 ] || { echo "# $F levels, want 16"; good=0; }

	# the kernel's counters now, checked with baresip's audio after the call
	ip netns exec $NS1 "$BIN/ksrtpctl" -j show > "$D/show.json" || good=0
	[ $good = 1 ]
}

# ------------------------------------------------------------ SDES

sdes() {
	want=$1
	shift
	call sdes RTP/SAVP "$want" "$@" || return 1
	grep -q "SRTP is Enabled (cryptosuite=$want)" "$D/call.blog" ||
		{ echo "# baresip's suite is not $want"; return 1; }
	grep -q "^a=crypto:[0-9]* $want inline:" "$D/answer.sdp"
}

RTCP_TAG_QUIRK=0
step "sdes default offer: baresip takes AEAD_AES_256_GCM" sdes AEAD_AES_256_GCM
step "sdes AES_CM_128_HMAC_SHA1_80" sdes AES_CM_128_HMAC_SHA1_80 suites AES_CM_128_HMAC_SHA1_80
RTCP_TAG_QUIRK=1
step "sdes AES_CM_128_HMAC_SHA1_32: RTP both ways; SRTCP refused both ways (libre's 32-bit SRTCP tag)" \
	sdes AES_CM_128_HMAC_SHA1_32 suites AES_CM_128_HMAC_SHA1_32
RTCP_TAG_QUIRK=0
step "sdes AEAD_AES_128_GCM" sdes AEAD_AES_128_GCM suites AEAD_AES_128_GCM

# ------------------------------------------------------------ DTLS

dtls() {
	want=$1
	shift
	call dtls UDP/TLS/RTP/SAVP "$want" method dtls "$@" || return 1
	case $(cat "$D/offer.txt") in *a=setup:actpass*) ;; *) echo "# offer not actpass"; return 1 ;; esac
	grep -q '^a=setup:active' "$D/answer.sdp" || { echo "# baresip did not answer active"; return 1; }
	R=$EV
	[ "$(json_get role)" = server ] && [ "$(json_get pfs)" = true ] ||
		{ echo "# keyd role $(json_get role), pfs $(json_get pfs)"; return 1; }
	# keyd verified baresip's certificate against the answer's fingerprint
	got=$(json_get fingerprint | tr a-z A-Z)
	fp=$(sed -n 's/^a=fingerprint:\(.*\)$/\1/p' "$D/answer.sdp" | head -n 1 | tr a-z A-Z)
	[ -n "$got" ] && [ "$got" = "$fp" ] || { echo "# keyd saw '$got', baresip answered '$fp'"; return 1; }
	# and baresip ours
	grep -qi 'verified sha-256 fingerprint OK' "$D/call.blog" ||
		{ echo "# baresip did not verify our fingerprint"; return 1; }
	grep -q "DTLS-SRTP complete.*Profile=$want" "$D/call.blog" ||
		{ echo "# baresip's profile is not $want"; return 1; }
}

step "dtls default profiles, baresip the client" dtls AEAD_AES_256_GCM
step "dtls AES_CM_128_HMAC_SHA1_80" dtls AES_CM_128_HMAC_SHA1_80 suites AES_CM_128_HMAC_SHA1_80

# ------------------------------------------------------------ the end

finish() {
	baresip_cmd /quit
	wait_pid "$BARESIP" 60 || { echo "# baresip exited $?"; return 1; }
	PEER_PIDS=
	app A quit > /dev/null 2>&1
	"$BIN/ksrtp-keydctl" -s "$D/keyd-A.sock" ping > /dev/null || return 1
	out=$(ip netns exec $NS1 "$BIN/ksrtpctl" show)
	[ -z "$out" ] || { echo "# left in the kernel:"; echo "$out" | sed 's/^/#   /'; return 1; }
}
step "baresip and keyd stop cleanly" finish
ktap_finish
