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
# handshake and by the server's role-swapping re-offer, also to two forks
# at once.
#
# Runs as root with ksrtp.ko loaded (selftests/run.sh in the VM); cwd is the
# project tree, binaries in build/bin.
. "$(dirname "$0")/lib.sh"

KEYD_TEST=keyd_dtls
. "$(dirname "$0")/keyd_lib.sh"

PROFILES="AES_CM_128_HMAC_SHA1_80 AES_CM_128_HMAC_SHA1_32 AEAD_AES_128_GCM AEAD_AES_256_GCM"
NO_LOSS_MIN=50		# packets per flow: at 50/s, a second of streaming at least
ktap_plan 14

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

# ------------------------------------------------------------ setup

# short grace periods so rekeys settle inside the test
step "setup: namespaces, three keyds, three apps" keyd_setup "A B C" "allow_insecure_signalling = no
rx_key_grace_ms = 1000
answer_rekey_delay_ms = 3000
log_level = info"
setup_or_skip 14

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

# RFC 5763 §6.3: A's offer reaches B and C (a SIP proxy forked it); both
# answer active and run their handshakes to A's one socket from their own
# addresses. B's answer comes without an address (A matches it to the
# association by certificate), C's with one.
forking() {
	fork_offer bind bind || return 1
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
	fork_offer "" bind || return 1
	case $answer_b in *a=setup:passive*) ;; *) echo "# B answered $answer_b"; return 1 ;; esac
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

# rekeyed KID WHO [N]: WHO gets "rekeyed" rx, then tx, with key id KID, for
# each of its N associations (default 1; their events may interleave).
rekeyed() {
	n=${3:-1} rx='' tx=''
	while [ "$(echo $rx $tx | wc -w)" -lt $((2 * n)) ]; do
		app $2 wait rekeyed 20000 || return 1
		case $R in *"\"key_id\":$1"*) ;; *) echo "# $2: $R"; return 1 ;; esac
		pe=$(json_get peer)
		case $R in
		*'"direction":"rx"'*) rx="$rx $pe" ;;
		*'"direction":"tx"'*)
			case "$rx " in *" $pe "*) tx="$tx $pe" ;; *) echo "# $2: tx before rx: $R"; return 1 ;; esac ;;
		esac
	done
}

# only_key NS KID N: in that namespace's templates (and what they learned),
# key KID at least N times and no other key id below it
only_key() {
	out=$(ip netns exec $1 "$BIN/ksrtpctl" show)
	n=$(echo "$out" | grep -c "key id $2\b")
	old=$(echo "$out" | grep -c "key id [1-$(($2 - 1))]\b")
	[ "$n" -ge "$3" ] && [ "$old" = 0 ] && return 0
	echo "# $1: keys $2: $n, older: $old"
	echo "$out" | sed 's/^/#   /'
	return 1
}

# upcall_port: the netlink port A's socket hands its DTLS datagrams to
upcall_port() {
	ip netns exec $NS1 "$BIN/ksrtpctl" show | sed -n 's/.*upcall-portid \([0-9]*\).*/\1/p'
}

# rekey_offer X Y N: X rekeys by a re-offer (a=setup:active), Y answers
# passive, X becomes the client of the new association; both install key N.
rekey_offer() {
	app $1 rekey || return 1
	case $R in *a=setup:active*) ;; *) echo "# $1's re-offer: $R"; return 1 ;; esac
	reoffer=$R
	app $2 remote "$R" && app $2 local || return 1
	case $R in *a=setup:passive*) ;; *) echo "# $2's answer: $R"; return 1 ;; esac
	app $1 remote "$R" || return 1
	rekeyed $3 $1 && rekeyed $3 $2
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
		rekeyed $round B && rekeyed $round A || return 1
		sleep 1.5	# rx_key_grace_ms: the old RX keys go
	done
	# the server cannot start a handshake in-band (no renegotiation): its
	# rekey is a re-offer swapping the roles (a=setup:active, RFC 5763 §6.6),
	# B answers passive, A starts the new association as the client
	rekey_offer A B 4 || return 1
	sleep 1.5
	no_loss || return 1
	only_key $NS1 4 2 && only_key $NS2 4 2 || return 1
	app A status || return 1
	case $R in *'"rekeys":3'*) ;; *) echo "# $R" | cut -c1-900; return 1 ;; esac
	[ "$(echo "$R" | sed -n 's/.*"dtls":{[^}]*"role":"\([a-z]*\)".*/\1/p')" = client ] ||
		{ echo "# A is not the client now: $R" | cut -c1-900; return 1; }
	app A delete && app B delete
}
for p in AEAD_AES_256_GCM AES_CM_128_HMAC_SHA1_80; do
	step "rekey by a new handshake ($p), RTP streaming both ways, zero loss" rekey_call $p
done

# A is the DTLS server of two forks (B and C answered active). Its rekey is
# one re-offer swapping the roles, sent to both (one re-INVITE per dialog,
# the same attributes); each answers passive, and A starts a new handshake
# as each one's client, while RTP streams between A and both at 50
# packets/s: nothing lost on any of the four flows.
fork_rekey() {
	fork_offer bind bind || return 1
	app A answer $IP2:$PORT "$answer_b" && app A answer $IP3:$PORT "$answer_c" || return 1
	for who in A A B C; do
		app $who wait secure 20000 || return 1
	done
	app A peers $IP2:$PORT,$IP3:$PORT || return 1
	app A reset && app B reset && app C reset || return 1
	app A stream 50 && app B stream 50 && app C stream 50 || return 1
	sleep 1
	app A rekey || return 1
	case $R in *a=setup:active*) ;; *) echo "# A's re-offer: $R"; return 1 ;; esac
	reoffer=$R
	app A status || return 1
	[ "$(echo "$R" | grep -o '"reoffered":true' | wc -l)" = 2 ] ||
		{ echo "# A: $R" | cut -c1-900; return 1; }
	app B remote "$reoffer" && app B local || return 1
	answer_b=$R
	app C remote "$reoffer" && app C local || return 1
	answer_c=$R
	case $answer_b$answer_c in *a=setup:passive*a=setup:passive*) ;;
	*) echo "# answers: $answer_b $answer_c"; return 1 ;; esac
	app A answer $IP2:$PORT "$answer_b" && app A answer $IP3:$PORT "$answer_c" || return 1
	rekeyed 2 A 2 && rekeyed 2 B && rekeyed 2 C || return 1
	sleep 1.5
	no_loss A B C || return 1
	only_key $NS1 2 4 && only_key $NS2 2 4 || return 1
	app A status || return 1
	case $R in *"\"peer\":\"$IP2:$PORT\",\"role\":\"client\""*) ;; *) echo "# A: $R" | cut -c1-1200; return 1 ;; esac
	case $R in *"\"peer\":\"$IP3:$PORT\",\"role\":\"client\""*) ;; *) echo "# A: $R" | cut -c1-1200; return 1 ;; esac
	[ "$(echo "$R" | grep -o '"rekeys":1' | wc -l)" = 2 ] ||
		{ echo "# A: $R" | cut -c1-1200; return 1; }
	app A peers $IP2:$PORT || return 1
	app A delete && app B delete && app C delete
}
step "server-side rekey with two forks: one role-swapping re-offer to each, zero loss" fork_rekey

# keyd A (the server, after one rekey) SIGKILLed and restarted while RTP
# streams: the association is adopted from its state file and the kernel's
# contexts, media never stops. The new keyd takes the socket's upcalls over
# (sock-set): A rekeys by a re-offer carrying its new certificate, then B
# (the server now) rekeys, RTP streaming with zero loss throughout.
restart_mid_call() {
	app A flush && app B flush || return 1
	call "" || return 1
	app B rekey || return 1
	rekeyed 2 B && rekeyed 2 A || return 1
	app A reset && app B reset && app A stream 50 && app B stream 50 || return 1
	port0=$(upcall_port)
	sleep 0.5
	keyd_crash_restart && restored_no_loss || return 1
	case $R in *'"handshake":"adopted"'*'"key_id":2'*) ;; *) echo "# $R" | cut -c1-900; return 1 ;; esac
	# the upcalls come to the new keyd now
	grep -q 'DTLS upcalls taken over' "$D/keyd-A.log" || return 1
	port1=$(upcall_port)
	echo "# upcall-portid: $port0 before the restart, $port1 after"
	[ -n "$port0" ] && [ -n "$port1" ] && [ "$port0" != "$port1" ] || return 1
	app A reset && app B reset && app A stream 50 && app B stream 50 || return 1
	sleep 1
	rekey_offer A B 3 || return 1
	[ "$(fp_of "$reoffer")" != "$(fp_of "$offer")" ] ||
		{ echo "# A's re-offer kept the old certificate"; return 1; }
	sleep 1.5
	rekey_offer B A 4 || return 1
	sleep 1.5
	no_loss || return 1
	only_key $NS1 4 2 || return 1
	# one rekey before the restart (restored from the state file), two after
	app A status || return 1
	case $R in *'"rekeys":3'*) ;; *) echo "# $R" | cut -c1-900; return 1 ;; esac
	app A delete && app B delete || return 1
	no_templates $NS1
}
step "keyd SIGKILLed and restarted mid-call after a rekey: adopted, media uninterrupted, rekeys both ways" restart_mid_call

app A quit > /dev/null 2>&1
app B quit > /dev/null 2>&1
app C quit > /dev/null 2>&1
ktap_finish
