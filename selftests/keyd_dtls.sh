#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ksrtp-keyd with DTLS-SRTP end to end: two keyd instances in two network
# namespaces joined by a veth pair, one keyd_app on each side. The script
# plays the signalling (a=fingerprint, a=setup); the DTLS handshake runs
# between the two keyds over the media sockets (kernel upcalls, sock-send).
# Checked: a call per DTLS-SRTP profile with RTP/RTCP both ways and the
# "secure" event's suite, peer fingerprint and pfs; the answerer without the
# peer's address answering passive; a tampered fingerprint in the offer
# (handshake refused, nothing installed) and in the answer (contexts of the
# side that had gone secure removed at once, "failed" on both sides).
#
# Runs as root with ksrtp.ko loaded (selftests/run.sh in the VM); cwd is the
# project tree, binaries in build/bin.
. "$(dirname "$0")/lib.sh"

KEYD_TEST=keyd_dtls
. "$(dirname "$0")/keyd_lib.sh"

PROFILES="AES_CM_128_HMAC_SHA1_80 AES_CM_128_HMAC_SHA1_32 AEAD_AES_128_GCM AEAD_AES_256_GCM"
ktap_plan 8

# call OPTS: fresh DTLS sessions on both sides (A offers), offer/answer,
# both secure.
call() {
	app A create offerer bind method dtls $1 || return 1
	SID_A=$R
	app B create answerer bind method dtls $1 || return 1
	negotiate A B || return 1
	app A wait secure 20000 || return 1
	EV_A=$R
	app B wait secure 20000 || return 1
	EV_B=$R
}

# exchange N: N packets each way, all delivered and intact.
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


# ------------------------------------------------------------ setup

setup() {
	ip netns add $NS1 && ip netns add $NS2 || return 1
	ip link add kd-veth1 type veth peer name kd-veth2 || return 1
	ip link set kd-veth1 netns $NS1 && ip link set kd-veth2 netns $NS2 || return 1
	ip -n $NS1 addr add $IP1/24 dev kd-veth1 && ip -n $NS2 addr add $IP2/24 dev kd-veth2 || return 1
	for ns in $NS1 $NS2; do
		ip -n $ns link set lo up || return 1
	done
	ip -n $NS1 link set kd-veth1 up && ip -n $NS2 link set kd-veth2 up || return 1
	cat > "$D/keyd.conf" <<-EOF
	allow_insecure_signalling = no
	log_level = info
	EOF
	keyd_start A && keyd_start B || return 1
	app_start A && app_start B
}

step "setup: namespaces, two keyds, two apps" setup
if [ "$KSFT_FAIL" != 0 ]; then
	for n in $(seq 2 8); do ktap_skip "keyd_dtls_$n" "setup failed"; done
	ktap_finish
fi

# fp_of ATTRS: the a=fingerprint value in an attribute array
fp_of() {
	echo "$1" | sed -n 's/.*"a=fingerprint:\([^"]*\)".*/\1/p'
}

# tamper ATTRS: the same attributes with the fingerprint's first byte changed
tamper() {
	echo "$1" | sed 's/sha-256 \([0-9A-F][0-9A-F]\)/sha-256 X\1/; s/X00/11/; s/X[0-9A-F][0-9A-F]/00/'
}

# no_templates NS: keyd installed nothing (or removed it) in that namespace
no_templates() {
	out=$(ip netns exec "$1" "$BIN/ksrtpctl" show)
	case $out in *template*) echo "# $1 still has contexts:"; echo "$out" | sed 's/^/#   /'; return 1 ;; esac
	return 0
}

# ------------------------------------------------------------ every profile

for p in $PROFILES; do
	profile_call() {
		call "suites $1" || return 1
		for ev in "$EV_A" "$EV_B"; do
			R=$ev
			[ "$(json_get suite)" = "$1" ] && [ "$(json_get pfs)" = true ] &&
				[ "$(json_get method)" = dtls ] ||
				{ echo "# secure event: $ev"; return 1; }
		done
		# each side verified the other's certificate against its a=fingerprint
		R=$EV_B
		[ "$(json_get fingerprint)" = "$(fp_of "$offer")" ] ||
			{ echo "# B saw $(json_get fingerprint), A offered $(fp_of "$offer")"; return 1; }
		R=$EV_A
		[ "$(json_get fingerprint)" = "$(fp_of "$answer")" ] ||
			{ echo "# A saw $(json_get fingerprint), B answered $(fp_of "$answer")"; return 1; }
		case $offer in *a=setup:actpass*) ;; *) echo "# offer $offer"; return 1 ;; esac
		case $answer in *a=setup:active*) ;; *) echo "# answer $answer"; return 1 ;; esac
		exchange 20 || return 1
		app A status || return 1
		[ "$(json_get state)" = secure ] && [ "$(json_get pfs)" = true ] || return 1
		case $R in *'"role":"server"'*) ;; *) echo "# $R" | cut -c1-600; return 1 ;; esac
		app B status || return 1
		case $R in *'"role":"client"'*) ;; *) echo "# $R" | cut -c1-600; return 1 ;; esac
		app A delete && app B delete || return 1
		no_templates $NS1 && no_templates $NS2
	}
	step "dtls $p: handshake, keys, RTP and RTCP both ways" profile_call "$p"
done

# The answerer does not know the offerer's address: it answers passive and
# the offerer becomes the DTLS client.
passive_answer() {
	app A create offerer bind method dtls || return 1
	app B create answerer method dtls || return 1
	negotiate A B || return 1
	case $answer in *a=setup:passive*) ;; *) echo "# answer $answer"; return 1 ;; esac
	app A wait secure 20000 || return 1
	app B wait secure 20000 || return 1
	exchange 20 || return 1
	app A status || return 1
	case $R in *'"role":"client"'*) ;; *) echo "# $R" | cut -c1-600; return 1 ;; esac
	app A delete && app B delete
}
step "answerer without the peer address: setup passive, offerer is the client" passive_answer

# A fingerprint that is not the offerer's: B (the client) refuses A's
# certificate during the handshake; neither side installs anything.
mismatch_offer() {
	app A flush && app B flush || return 1
	app A create offerer bind method dtls || return 1
	app B create answerer bind method dtls || return 1
	app A local || return 1
	offer=$R
	app B remote "$(tamper "$offer")" || return 1
	app B local || return 1
	answer=$R
	app A remote "$answer"		# may come after A failed: not checked
	app B wait failed 20000 || return 1
	case $R in *"fingerprint mismatch"*) ;; *) echo "# B: $R"; return 1 ;; esac
	app A wait failed 20000 || return 1
	echo "# A: $R" | cut -c1-300
	no_templates $NS1 && no_templates $NS2 || return 1
	app A send 5 || return 1
	field enokey "$R"
	[ "$F" = 5 ] || { echo "# A send: $R"; return 1; }
	app A delete && app B delete
}
step "tampered fingerprint in the offer: handshake refused, failed, no keys" mismatch_offer

# B is secure (it verified A) when A learns a fingerprint that is not B's:
# A fails and removes its keys, its close_notify makes B remove its keys.
mismatch_answer() {
	app A flush && app B flush || return 1
	app A create offerer bind method dtls || return 1
	app B create answerer bind method dtls || return 1
	app A local || return 1
	app B remote "$R" || return 1
	app B local || return 1
	answer=$R
	app B wait secure 20000 || return 1
	ip netns exec $NS2 "$BIN/ksrtpctl" show | grep -q template ||
		{ echo "# B installed no contexts"; return 1; }
	if app A remote "$(tamper "$answer")"; then
		echo "# A accepted the tampered answer: $R"
		return 1
	fi
	app A wait failed 5000 || return 1
	case $R in *"fingerprint mismatch"*) ;; *) echo "# A: $R"; return 1 ;; esac
	app B wait failed 10000 || return 1
	echo "# B: $R" | cut -c1-300
	no_templates $NS1 && no_templates $NS2 || return 1
	app B send 5 || return 1
	field enokey "$R"
	[ "$F" = 5 ] || { echo "# B send: $R"; return 1; }
	app A status || return 1
	[ "$(json_get state)" = failed ] || { echo "# $R" | cut -c1-400; return 1; }
	app A delete && app B delete
}
step "tampered fingerprint in the answer: contexts removed at once, failed both sides" mismatch_answer

app A quit > /dev/null 2>&1
app B quit > /dev/null 2>&1
ktap_finish
