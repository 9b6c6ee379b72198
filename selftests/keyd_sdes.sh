#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ksrtp-keyd with SDES end to end: two keyd instances in two network
# namespaces joined by a veth pair, one keyd_app (a tiny media server) on
# each side. This script plays the signalling: it copies a=crypto attributes
# from one app to the other. Checked: every SDES suite both ways, refusing
# keys without secure signalling, status counters, rekeying by re-offer in
# both directions with traffic flowing and zero loss, keyd SIGKILLed and
# restarted mid-call with media uninterrupted, SIGTERM leaving contexts in
# place, socket close and delete cleanup.
#
# Runs as root with ksrtp.ko loaded (selftests/run.sh in the VM); cwd is the
# project tree, binaries in build/bin.
. "$(dirname "$0")/lib.sh"

KEYD_TEST=keyd_sdes
. "$(dirname "$0")/keyd_lib.sh"

SUITES="AES_CM_128_HMAC_SHA1_80 AES_CM_128_HMAC_SHA1_32 AES_192_CM_HMAC_SHA1_80
AES_192_CM_HMAC_SHA1_32 AES_256_CM_HMAC_SHA1_80 AES_256_CM_HMAC_SHA1_32
AEAD_AES_128_GCM AEAD_AES_256_GCM NULL_HMAC_SHA1_80 NULL_HMAC_SHA1_32"
ktap_plan 23

# call SUITES_OPT: fresh sessions on both sides, offer/answer, both secure.
call() {
	app A create offerer bind $1 || return 1
	SID_A=$R
	app B create answerer bind $1 || return 1
	negotiate A B || return 1
	SUITE=${R#* }
	app A wait secure 5000 || return 1
	app B wait secure 5000 || return 1
}

start_streams() {
	app A flush && app B flush &&
		app A reset && app B reset && app A stream 50 && app B stream 50
}

# rx_settled A|B: the old RX keys are gone once the peer uses its new one
rx_settled() {
	i=0
	while [ $i -lt 40 ]; do
		app "$1" status || return 1
		case $R in
		*superseded*|*retire_in_ms*) ;;
		*) return 0 ;;
		esac
		i=$((i + 1))
		sleep 0.25
	done
	echo "# $1: old RX key not retired"
	return 1
}


# ------------------------------------------------------------ setup

# test keyd: short grace periods so rekeys finish inside the test; MKIs so
# the kernel picks RX keys by MKI (needed for zero-loss GCM rekeys)
step "setup: namespaces, two keyds, two apps" keyd_setup "A B" "allow_insecure_signalling = no
mki_len = 2
rx_key_grace_ms = 1000
answer_rekey_delay_ms = 2000
key_lifetime = 2^31
log_level = info"
setup_or_skip 23

# ------------------------------------------------------------ every suite

for s in $SUITES; do
	suite_call() {
		call "suites $1" || return 1
		[ "$SUITE" = "$1" ] || { echo "# negotiated $SUITE"; return 1; }
		exchange 10 || return 1
		app A delete && app B delete
	}
	step "suite $s: offer/answer, RTP and RTCP both ways" suite_call "$s"
done

# ------------------------------------------------------------ interop

# keyd <-> keyd cannot catch a mistake both sides make (key direction, where
# the salt starts); an SDES answerer on libsrtp2 and OpenSSL can. One suite
# per key||salt layout (30, 46, 28, 44 bytes), one of them with the 32-bit
# tag. Not AES-192: Debian's libsrtp2 2.5.0 derives its session keys wrongly
# (cisco/libsrtp#763, see ksrtp_datapath.c); the kernel's RFC 6188 KATs cover it.
interop_libsrtp() {
	for s in AES_CM_128_HMAC_SHA1_80 AES_256_CM_HMAC_SHA1_32 AEAD_AES_128_GCM \
		 AEAD_AES_256_GCM; do
		rm -f "$D/answer.json"
		app A create offerer bind suites $s mki 0 || return 1
		app A local || return 1
		printf '%s\n' "$R" > "$D/offer.json"
		ip netns exec $NS2 "$BIN/keyd_srtp_peer" -l $IP2:$PORT -p $IP1:$PORT \
			-o "$D/offer.json" -a "$D/answer.json" -n 20 > "$D/peer.out" 2>&1 &
		pid=$!
		i=0
		while [ ! -s "$D/answer.json" ]; do
			i=$((i + 1))
			[ $i -gt 100 ] && { echo "# peer: $(cat "$D/peer.out")"; return 1; }
			sleep 0.1
		done
		app A remote "$(cat "$D/answer.json")" || return 1
		app A wait secure 5000 || return 1
		app A reset && app A send 20 || return 1
		app A expect 20 10000 || { kill $pid; echo "# peer: $(cat "$D/peer.out")"; return 1; }
		wait $pid || { echo "# peer: $(cat "$D/peer.out")"; return 1; }
		echo "# $(cat "$D/peer.out")"
		app A delete || return 1
	done
}
step "interop: libsrtp2 SDES answerer, 4 key layouts, both directions" interop_libsrtp

# ------------------------------------------------------------ policy

insecure_refused() {
	app A create offerer insecure || return 1
	if app A local; then
		echo "# keys were emitted without secure signalling"
		return 1
	fi
	case $R in
	*insecure_signalling*signalling_secure*) ;;
	*) echo "# unexpected refusal: $R"; return 1 ;;
	esac
	app A delete
}
step "keys refused without signalling_secure" insecure_refused

# ------------------------------------------------------------ a call

rekey_without_mki() {
	call "suites AES_CM_128_HMAC_SHA1_80 mki 0" || return 1
	start_streams || return 1
	sleep 0.5
	app A rekey || return 1
	app B remote "$R" || return 1
	app B wait rekeyed 3000 || return 1
	app B local || return 1
	app A remote "$R" || return 1
	app A wait rekeyed 3000 || return 1
	sleep 0.5
	no_loss || return 1
	rx_settled B || return 1
	app A delete && app B delete
}
step "rekey without MKI (AES-CM: the kernel tries both keys), zero loss" rekey_without_mki

status_counters() {
	call "" || return 1
	app A status || return 1
	[ "$(json_get state)" = secure ] && [ "$(json_get pfs)" = false ] &&
		[ "$(json_get verified)" = true ] || { echo "# $R" | cut -c1-400; return 1; }
	exchange 30 || return 1
	app A status || return 1
	tx=$(json_get tx_packets) rx=$(json_get rx_packets)
	echo "# A counters: tx_packets=$tx rx_packets=$rx"
	[ "$tx" -ge 30 ] && [ "$rx" -ge 30 ] || return 1
	# the kernel sees what keyd installed: one TX and one RX template
	ip netns exec $NS1 "$BIN/ksrtpctl" show | grep -q 'template'
}
step "call with default suites: status shows suite, verified, counters" status_counters

rekey_by_local_reoffer() {
	start_streams || return 1
	sleep 0.5
	app A rekey || return 1
	reoffer=$R
	app B remote "$reoffer" || return 1
	app B wait rekeyed 3000 || return 1	# B's RX got A's new key
	app B local || return 1
	app A remote "$R" || return 1
	app A wait rekeyed 3000 || return 1	# A's TX switched
	sleep 0.5
	no_loss || return 1
	app A status || return 1
	case $R in *pending_key_id*) echo "# TX switch still pending"; return 1 ;; esac
}
step "rekey by our re-offer, traffic flowing, zero loss" rekey_by_local_reoffer

rekey_by_peer_reoffer() {
	start_streams || return 1
	sleep 0.5
	app B rekey || return 1
	app A remote "$R" || return 1		# the peer's new key: key-add on A's RX
	app A wait rekeyed 3000 || return 1
	app A local || return 1
	app B remote "$R" || return 1
	app B wait rekeyed 3000 || return 1
	sleep 0.5
	no_loss || return 1
	rx_settled A				# past rx_key_grace_ms
}
step "peer re-offers a new key: RX keeps old and new, zero loss" rekey_by_peer_reoffer

restart_mid_call() {
	start_streams || return 1
	sleep 0.5
	keyd_crash_restart && restored_no_loss
}
step "keyd SIGKILLed and restarted mid-call: media uninterrupted" restart_mid_call

rekey_after_restart() {
	start_streams || return 1
	sleep 0.5
	# the peer re-offers: keyd A lost its key in the restart, so its answer
	# carries a new one, used answer_rekey_delay_ms later
	app B rekey || return 1
	app A remote "$R" || return 1
	app A local || return 1
	app B remote "$R" || return 1
	app A wait rekeyed 3000 || return 1	# rx
	app B wait rekeyed 3000 || return 1	# rx (A's new key)
	app B wait rekeyed 3000 || return 1	# tx (answered)
	app A wait rekeyed 5000 || return 1	# tx (after the delay)
	# and our own re-offer
	app A rekey || return 1
	app B remote "$R" || return 1
	app B local || return 1
	app A remote "$R" || return 1
	app A wait rekeyed 3000 || return 1
	sleep 0.5
	no_loss
}
step "rekey both ways after the restart, zero loss" rekey_after_restart

sigterm_keeps_contexts() {
	kill -TERM "$KEYD_A"
	wait "$KEYD_A" 2>/dev/null
	grep -q 'stopping; kernel contexts stay installed' "$D/keyd-A.log" || return 1
	[ ! -e "$D/keyd-A.sock" ] || { echo "# control socket left behind"; return 1; }
	ip netns exec $NS1 "$BIN/ksrtpctl" show | grep -q template || return 1
	exchange 10 || return 1
	keyd_start A && app A reconnect
}
step "SIGTERM: clean exit, contexts stay, media flows" sigterm_keeps_contexts

socket_close_fails_session() {
	app A close || return 1
	app A wait failed 5000 || return 1
	case $R in *"socket was closed"*) ;; *) echo "# $R"; return 1 ;; esac
	! "$BIN/ksrtp-keydctl" -s "$D/keyd-A.sock" status "$SID_A" > /dev/null 2>&1
}
step "the app closes its socket: failed event, session gone" socket_close_fails_session

delete_detaches() {
	app B delete || return 1
	[ -z "$(ip netns exec $NS2 "$BIN/ksrtpctl" show)" ] || return 1
	# nothing left behind in keyd A's namespace either
	[ -z "$(ip netns exec $NS1 "$BIN/ksrtpctl" show)" ]
}
step "delete removes contexts and detaches the socket" delete_detaches

bad_requests() {
	ctl="$BIN/ksrtp-keydctl -s $D/keyd-A.sock"
	out=$($ctl request '{"op":"create","role":"offerer"}' 2>&1)
	echo "$out" | grep -q 'SCM_RIGHTS' || { echo "# $out"; return 1; }
	out=$($ctl request '{"op":"create","role":"offerer","method":"zfone"}' --fd 0 2>&1)
	echo "$out" | grep -q '"code":"unsupported"' || { echo "# $out"; return 1; }
	out=$($ctl request '{"op":"create","role":"offerer"}' --fd 0 2>&1)
	echo "$out" | grep -q 'not a socket\|not a UDP socket' || { echo "# $out"; return 1; }
	out=$($ctl request '{"op":"create","role":"offerer","dtls_verify":"early_media"}' --fd 0 2>&1)
	echo "$out" | grep -q 'dtls_verify does not apply to the sdes method' || { echo "# $out"; return 1; }
	out=$($ctl status kd-nope 2>&1)
	echo "$out" | grep -q '"code":"no_session"' || { echo "# $out"; return 1; }
	out=$($ctl request '{"op":"fly"}' 2>&1)
	echo "$out" | grep -q 'unknown operation' || { echo "# $out"; return 1; }
	# keyd is still fine
	$ctl ping > /dev/null
}
step "bad requests get clear errors" bad_requests

app A quit > /dev/null 2>&1
app B quit > /dev/null 2>&1
ktap_finish
