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
# Forking (RFC 5763 §6.3): one offer answered by two keyds from two
# addresses, two associations on A's one socket, each with its own keys,
# RTP both ways with both; a passive fork (A its client) next to a fork
# whose fingerprint is wrong and fails alone. Rekeying by a fresh handshake with RTP streaming
# both ways: zero loss (counters and payload sequence), "rekeyed" events,
# old keys gone from the kernel afterwards, both by the client's in-band
# handshake and by the server's role-swapping re-offer.
#
# Runs as root with ksrtp.ko loaded (selftests/run.sh in the VM); cwd is the
# project tree, binaries in build/bin.
. "$(dirname "$0")/lib.sh"

KEYD_TEST=keyd_dtls
. "$(dirname "$0")/keyd_lib.sh"

PROFILES="AES_CM_128_HMAC_SHA1_80 AES_CM_128_HMAC_SHA1_32 AEAD_AES_128_GCM AEAD_AES_256_GCM"
ktap_plan 13

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
	ip -n $NS2 addr add $IP3/24 dev kd-veth2 || return 1
	# short grace periods so rekeys settle inside the test
	cat > "$D/keyd.conf" <<-EOF
	allow_insecure_signalling = no
	rx_key_grace_ms = 1000
	answer_rekey_delay_ms = 3000
	log_level = info
	EOF
	keyd_start A && keyd_start B && keyd_start C || return 1
	app_start A && app_start B && app_start C
}

step "setup: namespaces, two keyds, two apps" setup
if [ "$KSFT_FAIL" != 0 ]; then
	for n in $(seq 2 13); do ktap_skip "keyd_dtls_$n" "setup failed"; done
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

# ------------------------------------------------------------ forking

# templates NS: the number of any-SSRC templates keyd installed there
templates() {
	ip netns exec "$1" "$BIN/ksrtpctl" show | grep -c template
}

# RFC 5763 §6.3: A's offer reaches B and C (a SIP proxy forked it); both
# answer active and run their handshakes to A's one socket from their own
# addresses. B's answer comes without an address (A matches it to the
# association by certificate), C's with one.
forking() {
	app A flush && app B flush && app C flush || return 1
	app A create offerer method dtls || return 1
	app B create answerer bind method dtls || return 1
	app C create answerer bind method dtls || return 1
	app A local || return 1
	offer=$R
	app B remote "$offer" && app B local || return 1
	answer_b=$R
	app C remote "$offer" && app C local || return 1
	answer_c=$R
	app A remote "$answer_b" || return 1
	app A answer $IP3:$PORT "$answer_c" || return 1
	app A wait secure 20000 || return 1
	ev1=$R
	app A wait secure 20000 || return 1
	ev2=$R
	app B wait secure 20000 && app C wait secure 20000 || return 1
	# one secure event per fork, each with that fork's certificate
	for ev in "$ev1" "$ev2"; do
		R=$ev
		case $(json_get peer) in
		$IP2:$PORT) want=$(fp_of "$answer_b") ;;
		$IP3:$PORT) want=$(fp_of "$answer_c") ;;
		*) echo "# secure event from an unknown peer: $ev"; return 1 ;;
		esac
		[ "$(json_get fingerprint)" = "$want" ] || { echo "# $ev: wanted $want"; return 1; }
	done
	[ "$(echo "$ev1" | sed -n 's/.*"peer":"\([^"]*\)".*/\1/p')" != \
	  "$(echo "$ev2" | sed -n 's/.*"peer":"\([^"]*\)".*/\1/p')" ] ||
		{ echo "# both events name one peer"; return 1; }
	n=$(templates $NS1)
	[ "$n" = 4 ] || { echo "# A has $n templates, wanted TX+RX for each fork"; return 1; }
	app A status || return 1
	[ "$(echo "$R" | grep -o '"installed":true' | wc -l)" = 2 ] ||
		{ echo "# $R" | cut -c1-900; return 1; }
	# RTP and RTCP both ways with both: A sends to each with that fork's keys
	app A peers $IP2:$PORT,$IP3:$PORT || return 1
	app A reset && app B reset && app C reset || return 1
	app A send 20 && app B send 20 && app C send 20 || return 1
	app B expect 20 5000 && app C expect 20 5000 || return 1
	for who in B C; do
		app $who stats && field bad "$R" && [ "$F" = 0 ] || { echo "# $who: $R"; return 1; }
	done
	app A expect_from $IP2:$PORT 20 5000 || return 1
	app A expect_from $IP3:$PORT 20 5000 || return 1
	app A stats || return 1
	echo "# A: $R"
	field bad "$R"
	[ "$F" = 0 ] || return 1
	app A peers $IP2:$PORT || return 1
	app A delete && app B delete && app C delete || return 1
	no_templates $NS1 && no_templates $NS2
}
step "forking: one offer, two answerers from two addresses, two associations, RTP with both" forking

# Two more forks of one offer: B answers passive (no address of its own to
# go by), so A is B's DTLS client; C's answer reaches A with a fingerprint
# that is not C's. C's association fails alone ("association_failed", its
# contexts gone, C fails too); the session and B's association go on.
fork_failure() {
	app A flush && app B flush && app C flush || return 1
	app A create offerer method dtls || return 1
	app B create answerer method dtls || return 1
	app C create answerer bind method dtls || return 1
	app A local || return 1
	offer=$R
	app B remote "$offer" && app B local || return 1
	answer_b=$R
	case $answer_b in *a=setup:passive*) ;; *) echo "# B answered $answer_b"; return 1 ;; esac
	app C remote "$offer" && app C local || return 1
	answer_c=$R
	app A answer $IP2:$PORT "$answer_b" || return 1
	app A answer $IP3:$PORT "$(tamper "$answer_c")" || return 1
	app A wait secure 20000 || return 1
	R_SEC=$R
	R=$R_SEC
	[ "$(json_get peer)" = $IP2:$PORT ] && [ "$(json_get role)" = client ] &&
		[ "$(json_get fingerprint)" = "$(fp_of "$answer_b")" ] ||
		{ echo "# A: $R_SEC"; return 1; }
	app A wait association_failed 20000 || return 1
	echo "# A: $R"
	[ "$(json_get peer)" = $IP3:$PORT ] || return 1
	case $R in *"fingerprint mismatch"*) ;; *) return 1 ;; esac
	app B wait secure 20000 || return 1
	app C wait failed 20000 || return 1
	echo "# C: $R"
	n=$(templates $NS1)
	[ "$n" = 2 ] || { echo "# A has $n templates, wanted B's TX and RX only"; return 1; }
	app A status || return 1
	[ "$(json_get state)" = secure ] || { echo "# $R" | cut -c1-900; return 1; }
	case $R in *'"handshake":"failed"'*"fingerprint mismatch"*) ;;
	*) echo "# $R" | cut -c1-900; return 1 ;; esac
	exchange 20 || return 1
	app A delete && app B delete && app C delete || return 1
	no_templates $NS1 && no_templates $NS2
}
step "forking: a passive fork (offerer is its client) and a fork with a wrong fingerprint failing alone" fork_failure

# ------------------------------------------------------------ rekey

# no_loss: after streaming stops, each side got every packet the other sent,
# and no payload counter is missing between the first and the last received.
no_loss() {
	app A stream 0 && app B stream 0 || return 1
	sleep 0.3
	app A stats || return 1
	echo "# A: $R"
	field sent "$R"; sa=$F; field recv "$R"; ra=$F; field bad "$R"; ba=$F
	field enokey "$R"; ea=$F; field peer "$R"; ga=${F##*/}
	app B stats || return 1
	echo "# B: $R"
	field sent "$R"; sb=$F; field recv "$R"; rb=$F; field bad "$R"; bb=$F
	field enokey "$R"; eb=$F; field peer "$R"; gb=${F##*/}
	[ "$sa" -gt 100 ] && [ "$sb" -gt 100 ] && [ "$sa" = "$rb" ] && [ "$sb" = "$ra" ] &&
		[ "$ba$bb$ea$eb$ga$gb" = 000000 ] && return 0
	for who in A B; do
		app $who status > /dev/null &&
			echo "# $who kernel: rx_auth_fail=$(json_get rx_auth_fail) rx_replay_drop=$(json_get rx_replay_drop)"
	done
	return 1
}

# A offers, B answers active: B is the DTLS client, A the server. While both
# stream RTP at 50 packets/s, B runs a new handshake twice, then A (the
# server) rekeys by a role-swapping re-offer; the new keys join the contexts
# next to the old ones, TX switches, old keys go.
rekey_call() {
	app A flush && app B flush || return 1
	call "suites $1" || return 1
	app A reset && app B reset && app A stream 50 && app B stream 50 || return 1
	sleep 1
	for round in 2 3; do
		app B rekey || return 1
		[ "$R" = "[]" ] || { echo "# rekey reply $R"; return 1; }
		# B (client): RX then TX at once; A (server): RX, then TX once B's new
		# key has authenticated a packet
		for who in B A; do
			app $who wait rekeyed 20000 || return 1
			case $R in *'"direction":"rx"'*"\"key_id\":$round"*) ;; *) echo "# $who: $R"; return 1 ;; esac
			app $who wait rekeyed 5000 || return 1
			case $R in *'"direction":"tx"'*"\"key_id\":$round"*) ;; *) echo "# $who: $R"; return 1 ;; esac
		done
		sleep 1.5	# rx_key_grace_ms: the old RX keys go
	done
	# the server cannot start a handshake in-band (no renegotiation): its
	# rekey is a re-offer swapping the roles (a=setup:active, RFC 5763 §6.6),
	# B answers passive, A starts the new association as the client
	app A rekey || return 1
	case $R in *a=setup:active*) ;; *) echo "# A's re-offer: $R"; return 1 ;; esac
	app B remote "$R" && app B local || return 1
	case $R in *a=setup:passive*) ;; *) echo "# B's answer: $R"; return 1 ;; esac
	app A remote "$R" || return 1
	for who in A B; do
		app $who wait rekeyed 20000 || return 1
		case $R in *'"direction":"rx"'*'"key_id":4'*) ;; *) echo "# $who: $R"; return 1 ;; esac
		app $who wait rekeyed 5000 || return 1
		case $R in *'"direction":"tx"'*'"key_id":4'*) ;; *) echo "# $who: $R"; return 1 ;; esac
	done
	sleep 1.5
	no_loss || return 1
	for ns in $NS1 $NS2; do
		out=$(ip netns exec $ns "$BIN/ksrtpctl" show)
		# only key 4 is left in each template (and what they learned)
		n=$(echo "$out" | grep -c 'key id 4\b')
		old=$(echo "$out" | grep -c 'key id [123]\b')
		[ "$n" -ge 2 ] && [ "$old" = 0 ] ||
			{ echo "# $ns: keys 4: $n, older: $old"; echo "$out" | sed 's/^/#   /'; return 1; }
	done
	app A status || return 1
	case $R in *'"rekeys":3'*) ;; *) echo "# $R" | cut -c1-900; return 1 ;; esac
	[ "$(echo "$R" | sed -n 's/.*"dtls":{[^}]*"role":"\([a-z]*\)".*/\1/p')" = client ] ||
		{ echo "# A is not the client now: $R" | cut -c1-900; return 1; }
	app A delete && app B delete
}
for p in AEAD_AES_256_GCM AES_CM_128_HMAC_SHA1_80; do
	step "rekey by a new handshake ($p), RTP streaming both ways, zero loss" rekey_call $p
done

# keyd A (the server, after one rekey) SIGKILLed and restarted while RTP
# streams: the association is adopted from its state file and the kernel's
# contexts, media never stops.
restart_mid_call() {
	app A flush && app B flush || return 1
	call "" || return 1
	app B rekey || return 1
	app A wait rekeyed 20000 && app A wait rekeyed 5000 || return 1
	app A reset && app B reset && app A stream 50 && app B stream 50 || return 1
	sleep 0.5
	kill -9 "$KEYD_A"
	wait "$KEYD_A" 2>/dev/null
	sleep 0.5				# media flows with keyd A dead
	keyd_start A || return 1
	grep -q 'session restored' "$D/keyd-A.log" || return 1
	app A reconnect || return 1
	[ "$R" = secure ] || { echo "# restored state: $R"; return 1; }
	sleep 0.5
	no_loss || return 1
	app A status || return 1
	[ "$(json_get restored)" = true ] && [ "$(json_get state)" = secure ] || return 1
	case $R in *'"handshake":"adopted"'*'"key_id":2'*) ;; *) echo "# $R" | cut -c1-900; return 1 ;; esac
	app A delete && app B delete || return 1
	no_templates $NS1
}
step "keyd SIGKILLed and restarted mid-call after a rekey: adopted, media uninterrupted" restart_mid_call

app A quit > /dev/null 2>&1
app B quit > /dev/null 2>&1
app C quit > /dev/null 2>&1
ktap_finish
