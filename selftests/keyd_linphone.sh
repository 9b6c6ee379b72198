#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ksrtp-keyd's ZRTP in a real call with linphone (linphonec, Debian
# linphone-cli: mediastreamer2 with Belledonne's bzrtp and libsrtp2), sipp
# as the SIP user agent of the ksrtp side. One network namespace,
# everything on 127.0.0.1: keyd, keyd_app (the media server: plain RTP on
# its socket), sipp, and linphonec auto-answering with ZRTP mandatory and a
# generated tone as its audio.
#
# keyd's a=zrtp-hash goes in sipp's INVITE (linphone ignores Hellos that do
# not match it), linphone's comes back in the 200 OK and goes to keyd, and
# the ZRTP exchange runs on the media path between keyd and linphone.
# Checked: both sides' SAS equal (keyd's secure event, linphonec's "auth
# token"); keyd_app reads linphone's tone as plain RTP (PCMU, one SSRC,
# the frames it encodes); linphone decrypted keyd_app's RTP (oRTP's
# statistics at the end of the call, no SRTP error); ksrtp's counters:
# packets protected and accepted, no authentication failure.
#
# Runs as root with ksrtp.ko loaded (selftests/run.sh in the VM); cwd is the
# project tree, binaries in build/bin. Without linphonec or sipp (Debian
# linphone-cli, sip-tester; scripts/deps.sh installs them) every point is
# skipped with the reason.
. "$(dirname "$0")/lib.sh"

KEYD_TEST=keyd_linphone
. "$(dirname "$0")/keyd_lib.sh"

NS1=kd-ln NS2=kd-ln		# one namespace; keyd_lib's cleanup deletes it
IP1=127.0.0.1 IP2=127.0.0.1
PORT=40000
LP=$PWD/selftests/linphone
BR=$PWD/selftests/baresip	# its media.py makes the tone and reads the counters
MIN=100			# packets each way (2 s at 50 per second)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

NAMES="setup
a ZRTP call with linphonec: the same SAS, media both ways
linphonec and keyd stop cleanly"
ktap_plan "$(echo "$NAMES" | wc -l)"

why=
for t in linphonec sipp; do
	command -v $t > /dev/null 2>&1 || why="${why:+$why, }no $t"
done
command -v "$PY" > /dev/null 2>&1 || why="${why:+$why, }no python3"
if [ -n "$why" ]; then
	echo "$NAMES" | while read -r n; do
		ktap_skip "$n" "$why (scripts/deps.sh installs linphone-cli and sip-tester)"
	done
	exit 0
fi

LINPHONE='' LOUT=$D/linphone.out

lp_cmd() {	# one command on linphonec's stdin
	echo "$1" >&3
}

setup() {
	ip netns add $NS1 || return 1
	ip -n $NS1 link set lo up || return 1
	printf 'allow_insecure_signalling = no\nlog_level = info\n' > "$D/keyd.conf"
	keyd_start A || return 1
	app_start A || return 1
	app A foreign || return 1
	"$PY" "$BR/media.py" tone "$D/tone8k.wav" 120 || return 1
	mkdir -p "$D/home/.local/share/linphone" || return 1
	sed "s|@DIR@|$D|g" "$LP/linphonerc.in" > "$D/linphonerc" || return 1
	mkfifo "$D/linphone.in" || return 1
	# HOME: linphone's database; without it no SIP transport opens
	HOME=$D/home ip netns exec $NS1 linphonec -c "$D/linphonerc" -a -d 5 \
		-l "$D/linphone.log" < "$D/linphone.in" > "$LOUT" 2>&1 &
	LINPHONE=$!
	PEER_PIDS=$LINPHONE
	exec 3> "$D/linphone.in"
	lp_cmd "soundcard use files"
	lp_cmd "play $D/tone8k.wav"
	wait_for "$D/linphone.log" 'Creating listening point.*5092' 60 || return 1
}

step "setup: namespace, keyd, keyd_app, linphonec" setup
if [ "$KSFT_FAIL" != 0 ]; then
	echo "$NAMES" | sed 1d | while read -r n; do ktap_skip "$n" "setup failed"; done
	exit 1
fi

call() {
	app A create offerer method zrtp suites AES_CM_128_HMAC_SHA1_80,AES_CM_128_HMAC_SHA1_32 ||
		return 1
	app A local || return 1
	zh=$(echo "$R" | sed 's/.*a=zrtp-hash:\([^"]*\)".*/\1/')
	echo "# keyd's a=zrtp-hash:$zh"
	(cd "$D" && exec ip netns exec $NS1 sipp -sf "$LP/uac_zrtp.xml" -s bob 127.0.0.1:5092 \
		-i 127.0.0.1 -p 5080 -set mport $PORT -set zhash "$zh" -m 1 -nostdin \
		-timeout 120 -timeout_error -trace_logs -log_file "$D/sipp-log.log" \
		> "$D/sipp-out.log" 2>&1) &
	sipp=$!
	wait_for "$D/sipp-log.log" 'ANSWER m=audio' 60 || return 1
	ans=$(grep 'ANSWER m=audio' "$D/sipp-log.log" | head -n 1)
	echo "# linphone's answer: $ans"
	mport=$(echo "$ans" | sed -n 's/.*m=audio \([0-9]*\).*/\1/p')
	lh=$(echo "$ans" | sed -n 's/.*\(a=zrtp-hash:[^]]*\).*/\1/p')
	[ -n "$mport" ] && [ -n "$lh" ] || { echo "# no port or a=zrtp-hash in the answer"; return 1; }
	app A peers 127.0.0.1:$mport || return 1
	app A remote "[\"$lh\"]" || return 1
	app A wait secure 60000 || return 1
	EV=$R
	echo "# keyd: $(echo "$EV" | cut -c1-300)"
	sas=$(json_get sas)
	wait_for "$LOUT" 'auth token is' 30 || return 1
	lsas=$(sed -n 's/.*auth token is \([^ .]*\).*/\1/p' "$LOUT" | tail -n 1)
	echo "# linphonec: $(grep 'auth token' "$LOUT" | tail -n 1)"
	[ -n "$sas" ] && [ "$sas" = "$lsas" ] || { echo "# SAS keyd '$sas', linphone '$lsas'"; return 1; }
	# media both ways for a few seconds: keyd_app streams, linphone plays its tone
	app A reset && app A stream 50 || return 1
	end=$(($(date +%s) + 60))
	while [ "$(date +%s)" -le $end ]; do
		app A fstats || return 1
		field rtp "$R"
		[ "$F" -ge $((MIN + 20)) ] && break
		sleep 0.5
	done
	app A stream 0 || return 1
	app A stats || return 1
	echo "# keyd_app sent: $R"
	field sent "$R"; sent=$F; field bad "$R"; bad=$F; field enokey "$R"; enokey=$F
	app A fstats || return 1
	echo "# keyd_app got from linphone: $R"
	fs=$R
	field rtp "$fs"; rtp=$F
	field ssrc "$fs"; lssrc=$F
	[ "$sent" -ge "$MIN" ] && [ "$bad$enokey" = 00 ] || { echo "# send side"; return 1; }
	[ "$rtp" -ge "$MIN" ] || { echo "# too few RTP packets from linphone"; return 1; }
	field pt0 "$fs"; [ "$F" = "$rtp" ] || { echo "# not all PCMU"; return 1; }
	field ssrcs "$fs"; [ "$F" = 1 ] || { echo "# $F SSRCs"; return 1; }
	field uniform "$fs"; [ "$F" = "$rtp" ] || { echo "# payloads not the tone"; return 1; }
	field levels "$fs"; [ "$F" = 16 ] || { echo "# $F levels, want 16"; return 1; }
	field period_bad "$fs"; [ "$F" = 0 ] || { echo "# tone out of order"; return 1; }
	ip netns exec $NS1 "$BIN/ksrtpctl" -j show > "$D/show.json" || return 1
	"$PY" "$BR/media.py" kernel "$D/show.json" $PORT "$lssrc" "$MIN" > "$D/kernel.out" 2>&1 ||
		{ cat "$D/kernel.out"; return 1; }
	sed 's/^/# /' "$D/kernel.out"
	# sipp hangs up (BYE) 15 s after the answer; linphone then logs its RTP statistics
	wait $sipp || { echo "# sipp: $(tail -n 3 "$D/sipp-out.log")"; return 1; }
	# oRTP's statistics at the end of the call: what linphone decrypted
	wait_for "$D/linphone.log" 'ortp-message-received  *[0-9]* packets' 30 || return 1
	lrecv=$(sed -n 's/.*ortp-message-received  *\([0-9]*\) packets.*/\1/p' "$D/linphone.log" |
		head -n 1)
	lrtcp=$(sed -n 's/.*ortp-message-received rtcp  *\([0-9]*\) packets.*/\1/p' \
		"$D/linphone.log" | head -n 1)
	echo "# linphone received $lrecv RTP and $lrtcp RTCP packets from keyd_app"
	[ "${lrecv:-0}" -ge "$MIN" ] && [ "${lrtcp:-0}" -ge 1 ] || return 1
	errs=$(grep -i 'unprotect.*fail\|srtp.*\(fail\|error\)' "$D/linphone.log" | head -n 5)
	[ -z "$errs" ] || { echo "$errs" | sed 's/^/# linphone: /'; return 1; }
	app A delete
}
step "a ZRTP call with linphonec: the same SAS, media both ways" call

stop() {
	lp_cmd quit
	end=$(($(date +%s) + 30))
	while kill -0 "$LINPHONE" 2>/dev/null && [ "$(date +%s)" -le $end ]; do
		sleep 0.3
	done
	kill -0 "$LINPHONE" 2>/dev/null && { echo "# linphonec did not quit"; return 1; }
	PEER_PIDS=''
	app A quit > /dev/null 2>&1
	kill -TERM "$KEYD_A" && wait "$KEYD_A"
}
step "linphonec and keyd stop cleanly" stop

ktap_finish
