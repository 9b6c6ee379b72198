#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ksrtp-keyd's "bridge": two sessions of one media server joined in the
# kernel, each side keyed by a different method with a different peer.
# Leg 1 is DTLS-SRTP (AES_CM_128_HMAC_SHA1_80) with `openssl s_client`;
# leg 2 is SDES (AEAD_AES_128_GCM) with an answerer on libsrtp2. Both peers
# are keyd_srtp_peer (libsrtp2): leg 1's with the keys OpenSSL exported,
# leg 2's with the key it answered. Leg 2's peer sends 50 RTP (+5 RTCP),
# which leg 1's peer must decrypt to the exact bytes sent, then it sends
# 50 back the other way: every packet crossed the kernel's forwards, was
# decrypted with one session's keys and protected with the other's, and
# the media server read none of it. Checked too: refusals with their
# reasons, the forwards' counters in status, a keyd SIGKILL and restart
# (the bridge is restored, the forwards untouched), unbridge and delete
# (forwards gone, the other side told).
#
# Runs as root with ksrtp.ko loaded (selftests/run.sh in the VM); cwd is the
# project tree, binaries in build/bin.
. "$(dirname "$0")/lib.sh"

KEYD_TEST=keyd_bridge
. "$(dirname "$0")/keyd_lib.sh"

PORT2=$((PORT + 2))	# leg 2: app C on $IP1, its SDES peer on $IP3
N=50
ktap_plan 7

CTL() {
	"$BIN/ksrtp-keydctl" -s "$D/keyd-A.sock" "$@"
}

# the kernel's forwards in the relay namespace, by id ("" if none)
fwd_ids() {
	ip netns exec $NS1 "$BIN/ksrtpctl" -j fwd show | grep -o '"id":[0-9]*' | tr '\n' ' '
}

setup() {
	command -v openssl > /dev/null || { echo "# no openssl"; return 1; }
	keyd_setup A "allow_insecure_signalling = no
log_level = info" || return 1
	app_start C $NS1 $IP1:$PORT2 $IP3:$PORT2 || return 1
	# a third app on keyd A, for a session that never gets secure
	app_start B $NS1 $IP1:$((PORT + 4)) $IP3:$((PORT + 4)) || return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$D/key.pem" -out "$D/cert.pem" -days 2 -subj /CN=openssl-peer \
		> "$D/req.log" 2>&1 || return 1
	FP=$(openssl x509 -in "$D/cert.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
	[ -n "$FP" ]
}
step "setup: namespaces, keyd, three apps, openssl certificate" setup
setup_or_skip 7

# expect_refusal WHAT CODE TEXT ARGS...: keydctl ARGS fails with CODE, TEXT
expect_refusal() {
	what=$1 code=$2 text=$3
	shift 3
	if out=$(CTL "$@" 2>&1); then
		echo "# $what: accepted: $out"
		return 1
	fi
	case $out in
	*"\"code\":\"$code\""*"$text"* | *"$text"*"\"code\":\"$code\""*) ;;
	*) echo "# $what: $out"; return 1 ;;
	esac
}

# Leg 1: keyd is the DTLS server, openssl s_client the client; once it
# exported its keys it is SIGKILLed and libsrtp2 takes its address.
leg1_dtls() {
	app A create offerer bind method dtls suites AES_CM_128_HMAC_SHA1_80 || return 1
	SID_A=$R
	app A local || return 1
	app A remote "[\"a=fingerprint:sha-256 $FP\",\"a=setup:active\"]" || return 1
	mkfifo "$D/ossl.in" || return 1
	ip netns exec $NS2 openssl s_client -dtls1_2 -bind $IP2:$PORT -connect $IP1:$PORT \
		-cert "$D/cert.pem" -key "$D/key.pem" -use_srtp SRTP_AES128_CM_SHA1_80 \
		-keymatexport EXTRACTOR-dtls_srtp -keymatexportlen 60 \
		< "$D/ossl.in" > "$D/ossl.out" 2>&1 &
	ossl=$!
	exec 3> "$D/ossl.in"
	app A wait secure 20000 || { sed 's/^/#   /' "$D/ossl.out" | tail -n 15; return 1; }
	wait_for "$D/ossl.out" 'Keying material: ' 15 || return 1
	kill -9 $ossl
	wait $ossl 2>/dev/null
	exec 3>&-
	KM=$(sed -n 's/.*Keying material: \([0-9A-Fa-f]*\).*/\1/p' "$D/ossl.out" | head -n 1)
	[ ${#KM} = 120 ] || { echo "# keying material: $KM"; return 1; }
	echo "# leg 1: DTLS with openssl s_client, session $SID_A"
}

# Leg 2: SDES, keyd offers; the libsrtp2 answerer will send first once the
# file go exists.
leg2_sdes() {
	app C create offerer bind suites AEAD_AES_128_GCM || return 1
	SID_C=$R
	app C local || return 1
	printf '%s\n' "$R" > "$D/offer.json"
	rm -f "$D/answer.json" "$D/go"
	ip netns exec $NS2 "$BIN/keyd_srtp_peer" -l $IP3:$PORT2 -p $IP1:$PORT2 \
		-o "$D/offer.json" -a "$D/answer.json" -n $N -F "$D/go" > "$D/peer2.out" 2>&1 &
	PEER2=$!
	PEER_PIDS="$PEER_PIDS $PEER2"
	wait_for "$D/answer.json" crypto 10 || { cat "$D/peer2.out"; return 1; }
	app C remote "$(cat "$D/answer.json")" || return 1
	app C wait secure 5000 || return 1
	echo "# leg 2: SDES with libsrtp2, session $SID_C"
}

legs() {
	leg1_dtls && leg2_sdes || return 1
	expect_refusal "self" bad_request "bridged to itself" bridge "$SID_A" "$SID_A" &&
	expect_refusal "unknown" no_session "no session" bridge "$SID_A" kd-none &&
	expect_refusal "not bridged" wrong_state "is not bridged" unbridge "$SID_A" || return 1
	# a session still negotiating cannot be bridged
	app B create offerer bind || return 1
	expect_refusal "not secure" wrong_state "a bridge needs both directions keyed" \
		bridge "$SID_A" "$R" || return 1
	app B delete
}
step "two legs keyed: DTLS-SRTP (openssl) and SDES (libsrtp2); bad bridges refused" legs

# the peers' addresses and keys are libsrtp2's: packets that arrive there
# decrypted and intact crossed both sessions' keys in the kernel
media() {
	CTL bridge "$SID_A" "$SID_C" > "$D/bridge.json" || { cat "$D/bridge.json"; return 1; }
	R=$(cat "$D/bridge.json")
	[ "$(echo "$R" | sed -n 's/.*"forwards":\[\([0-9,]*\)\].*/\1/p' | tr ',' ' ' | wc -w)" = 2 ] ||
		{ echo "# $R"; return 1; }
	app A reset && app C reset || return 1
	ip netns exec $NS2 "$BIN/keyd_srtp_peer" -l $IP2:$PORT -p $IP1:$PORT \
		-s AES_CM_128_HMAC_SHA1_80 -x "$KM" -r client -a "$D/ready1" -n $N \
		> "$D/peer1.out" 2>&1 &
	peer1=$!
	wait_for "$D/ready1" ready 10 || return 1
	touch "$D/go"
	wait $peer1 || { echo "# leg 1 peer: $(cat "$D/peer1.out")"; return 1; }
	wait $PEER2 || { echo "# leg 2 peer: $(cat "$D/peer2.out")"; return 1; }
	echo "# leg 1 peer (DTLS keys): $(cat "$D/peer1.out")"
	echo "# leg 2 peer (SDES keys): $(cat "$D/peer2.out")"
	# the media server read none of it
	for a in A C; do
		app $a stats || return 1
		field recv "$R" && [ "$F" = 0 ] && field bad "$R" && [ "$F" = 0 ] ||
			{ echo "# app $a read media: $R"; return 1; }
	done
}
step "media both ways through the bridge, decrypted by libsrtp2 on each leg" media

# status: each side's forward counted exactly what its peer sent
counters() {
	for sid in "$SID_A" "$SID_C"; do
		R=$(CTL status "$sid") || { echo "# $R"; return 1; }
		b=${R#*\"bridge\":}
		[ "$b" != "$R" ] || { echo "# no bridge in $R" | cut -c1-400; return 1; }
		case $b in
		*"\"packets\":$N,"*"\"rtcp_packets\":$((N / 10)),"*"\"tx_no_ctx\":0,"*"\"tx_drop\":0,"*) ;;
		*) echo "# $sid: $b"; return 1 ;;
		esac
	done
	case $(CTL status "$SID_A") in
	*"\"to\":\"$SID_C\""*) ;;
	*) echo "# bridge of $SID_A does not name $SID_C"; return 1 ;;
	esac
}
step "status: each forward counted $N RTP and $((N / 10)) RTCP, no drops" counters

# keyd SIGKILLed: the kernel keeps forwarding; the new keyd restores the
# bridge from its state, checked against the kernel's forwards
restart() {
	before=$(fwd_ids)
	[ -n "$before" ] || { echo "# no forwards before the restart"; return 1; }
	kill -9 "$KEYD_A"
	wait "$KEYD_A" 2>/dev/null
	keyd_start A && app A reconnect && app C reconnect || return 1
	grep -q 'bridge restored' "$D/keyd-A.log" || { echo "# no 'bridge restored' in the log"; return 1; }
	[ "$(fwd_ids)" = "$before" ] ||
		{ echo "# forwards changed across the restart: $before -> $(fwd_ids)"; return 1; }
	CTL status "$SID_C" | grep -q "\"to\":\"$SID_A\"" || return 1
	counters
}
step "keyd SIGKILL and restart: bridge restored, forwards untouched" restart

unbridge() {
	app C flush || return 1
	CTL unbridge "$SID_A" > /dev/null || return 1
	[ -z "$(fwd_ids)" ] || { echo "# forwards left: $(fwd_ids)"; return 1; }
	app C wait bridge_ended 5000 || return 1
	case $R in *"unbridged by a request on"*) ;; *) echo "# $R"; return 1 ;; esac
	CTL status "$SID_C" | grep -q '"bridge"' && { echo "# $SID_C still bridged"; return 1; }
	return 0
}
step "unbridge: forwards gone, the other side gets bridge_ended" unbridge

delete_ends() {
	CTL bridge "$SID_C" "$SID_A" --idle-timeout 500 > /dev/null || return 1
	# nothing flows now: each forward reports its silence
	app C wait bridge_idle 10000 || return 1
	app A flush || return 1
	app C delete || return 1
	app A wait bridge_ended 5000 || return 1
	case $R in *"the other session was deleted"*) ;; *) echo "# $R"; return 1 ;; esac
	[ -z "$(fwd_ids)" ] || { echo "# forwards left: $(fwd_ids)"; return 1; }
}
step "idle event, then delete: the other side gets bridge_ended, forwards gone" delete_ends

ktap_finish
