#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ksrtp-keyd's DTLS verification policy for early media (RFC 5763 §6.2,
# §7.1): A offers actpass, B answers active and runs its handshake at once,
# so A's handshake completes before the script hands A the answer (the
# 200 OK still "in flight"). Checked:
# - strict (the default): A installs nothing; B's media is dropped and
#   counted (rx_no_ctx) until the answer's fingerprint is verified;
# - early_media (per session, then from the configuration): A installs its
#   RX template at once ("early_media" event, verified false): B's RTP
#   reaches A's app before the answer, while A's own sends are refused
#   (ENOKEY, no TX context); the answer verifies B, TX goes in, "secure";
# - a mismatching answer in early_media: the RX template is gone when the
#   reply comes, "failed", and B's packets are counted in rx_no_ctx again;
# - two forks in early_media: each gets its RX template, one is verified,
#   the other's answer does not match: only its association fails;
# - keyd A killed before the answer: the restarted keyd cannot verify the
#   peer any more, so it removes the unverified RX template it finds.
#
# Runs as root with ksrtp.ko loaded (selftests/run.sh in the VM); cwd is the
# project tree, binaries in build/bin.
. "$(dirname "$0")/lib.sh"

KEYD_TEST=keyd_dtls_early
. "$(dirname "$0")/keyd_lib.sh"

ktap_plan 6
# The associations held unverified here must outlive a slow step (the debug
# kernel took 30 s between the early_media event and the tampered answer, and
# the default dtls_unverified_timeout had dropped the association by then).
CONF="allow_insecure_signalling = no
dtls_unverified_timeout = 600
log_level = info"

step "setup: namespaces, three keyds, three apps" keyd_setup "A B C" "$CONF"
setup_or_skip 6

# dirs NS D: the number of D (rx or tx) contexts in that namespace
dirs() {
	ip netns exec "$1" "$BIN/ksrtpctl" -j show | grep -o "\"dir\":\"$2\"" | wc -l
}

# no_ctx: A's socket's rx_no_ctx (kernel counter) in $F
no_ctx() {
	app A status || return 1
	F=$(json_get rx_no_ctx)
	[ -n "$F" ] || { echo "# no rx_no_ctx in $R" | cut -c1-400; return 1; }
}

# clipped WHEN: B sends 20 RTP packets (with its TX key); none reaches A's
# app, all are counted in A's rx_no_ctx
clipped() {
	no_ctx && before=$F
	app A reset && app B reset && app B send 20 || return 1
	field enokey "$R"
	[ "$F" = 0 ] || { echo "# B has no TX: $R"; return 1; }
	sleep 0.5
	app A stats || return 1
	field recv "$R"
	[ "$F" = 0 ] || { echo "# A received $1: $R"; return 1; }
	no_ctx || return 1
	echo "# A: rx_no_ctx $before -> $F"
	[ $((F - before)) -ge 20 ]
}

# early_offer OPTS: fresh sessions, A (create options OPTS) offers, B
# answers active and starts its handshake; A has not seen the answer
# ($answer) yet. B is secure (it verified A with the offer's fingerprint).
early_offer() {
	app A flush && app B flush || return 1
	app A create offerer bind method dtls $1 || return 1
	app B create answerer bind method dtls || return 1
	app A local || return 1
	offer=$R
	app B remote "$offer" && app B local || return 1
	answer=$R
	case $answer in *a=setup:active*) ;; *) echo "# answer $answer"; return 1 ;; esac
	app B wait secure 20000
}

# A's handshake is done: "connected", verification pending
a_pending() {
	i=0
	while [ $i -lt 100 ]; do
		app A status || return 1
		case $R in *'"handshake":"connected","verify":"pending"'*) return 0 ;; esac
		i=$((i + 1))
		sleep 0.2
	done
	echo "# A: $R" | cut -c1-900
	return 1
}

# not_secure: A's session is still waiting for the answer, unverified
not_secure() {
	app A status || return 1
	[ "$(json_get state)" = offered ] && [ "$(json_get verified)" = false ] ||
		{ echo "# A: $R" | cut -c1-900; return 1; }
}

# verified_now: A applies the real answer: secure and verified, TX and RX
# both ways
verified_now() {
	app A remote "$answer" || return 1
	app A wait secure 20000 || return 1
	[ "$(json_get verified)" = true ] && [ "$(json_get fingerprint)" = "$(fp_of "$answer")" ] ||
		{ echo "# A: $R"; return 1; }
	app A status || return 1
	[ "$(json_get state)" = secure ] && [ "$(json_get verified)" = true ] ||
		{ echo "# A: $R" | cut -c1-900; return 1; }
	exchange 20
}

# The default (no dtls_verify anywhere) is strict: nothing before the
# answer, B's early media is clipped and counted.
strict_clips() {
	early_offer "" || return 1
	a_pending || return 1
	not_secure || return 1
	case $R in *'"dtls_verify":"strict"'*) ;; *) echo "# A: $R" | cut -c1-900; return 1 ;; esac
	no_templates $NS1 || return 1
	clipped "before the answer" || return 1
	verified_now || return 1
	app A delete && app B delete
}
step "strict (default): nothing installed before the answer, early media clipped (rx_no_ctx)" strict_clips

# early_rx: A has its early_media event and only an RX template; B's RTP
# reaches A's app, A's sends are refused (no TX), A is not verified.
early_rx() {
	app A wait early_media 20000 || return 1
	echo "# A: $R"
	[ "$(json_get verified)" = false ] && [ "$(json_get peer)" = $IP2:$PORT ] &&
		[ "$(json_get fingerprint)" = "$(fp_of "$answer")" ] || return 1
	not_secure || return 1
	case $R in *'"early_media":true'*'"verify":"pending"'*|*'"verify":"pending"'*'"early_media":true'*) ;;
	*) echo "# A: $R" | cut -c1-900; return 1 ;; esac
	case $R in *'"tx":false,"rx":true'*) ;; *) echo "# A: $R" | cut -c1-900; return 1 ;; esac
	n=$(templates $NS1)
	[ "$n" = 1 ] && [ "$(dirs $NS1 tx)" = 0 ] ||
		{ echo "# A has $n templates, $(dirs $NS1 tx) TX contexts"; return 1; }
	app A reset && app B reset || return 1
	app B send 20 && app A expect 20 5000 || return 1
	field bad "$R"
	[ "$F" = 0 ] || { echo "# A: $R"; return 1; }
	app A send 10 || return 1
	field enokey "$R"
	[ "$F" = 10 ] || { echo "# A's send: $R"; return 1; }
	field sent "$R"
	[ "$F" = 0 ] || { echo "# A's send: $R"; return 1; }
	app B stats || return 1
	field recv "$R"
	[ "$F" = 0 ] || { echo "# B received $F from an unverified A"; return 1; }
}

early_media() {
	early_offer "verify early_media" || return 1
	early_rx || return 1
	verified_now || return 1
	[ "$(templates $NS1)" = 2 ] || return 1
	app A delete && app B delete
}
step "early_media: RX before the answer (B's RTP delivered, A cannot send), TX once verified" early_media

# The configuration's dtls_verify (keyd A restarted with it); the answer's
# fingerprint is not B's: the RX template is gone by the time the reply
# comes, "failed", and B's packets are dropped again. keyd B is stopped
# first (its kernel contexts stay), so A's close_notify does not make B
# remove its TX: B goes on sending SRTP with the key A no longer has.
early_mismatch() {
	printf '%s\ndtls_verify = early_media\n' "$CONF" > "$D/keyd.conf"
	kill "$KEYD_A" && wait "$KEYD_A" 2>/dev/null
	keyd_start A && app A reconnect || return 1
	early_offer "" || return 1
	early_rx || return 1
	kill "$KEYD_B" && wait "$KEYD_B" 2>/dev/null
	if app A remote "$(tamper "$answer")"; then
		echo "# A accepted a tampered answer: $R"
		return 1
	fi
	case $R in *"fingerprint mismatch"*) ;; *) echo "# A: $R"; return 1 ;; esac
	no_templates $NS1 || return 1
	[ "$(dirs $NS1 rx)" = 0 ] || { echo "# A still has RX contexts"; return 1; }
	app A wait failed 5000 || return 1
	case $R in *"fingerprint mismatch"*) ;; *) echo "# A: $R"; return 1 ;; esac
	clipped "after the mismatch" || return 1
	keyd_start B && app B reconnect || return 1
	app A delete && app B delete
}
step "early_media from the configuration, mismatching answer: RX gone at once, failed, rx_no_ctx" early_mismatch

# Two forks in early_media (the configuration still says so): both get RX
# templates before any answer; B's answer verifies B (secure, TX), C's
# answer does not match C: only C's association fails, its RX template goes.
early_forks() {
	fork_offer bind bind || return 1
	app A wait early_media 20000 && ev1=$R || return 1
	app A wait early_media 20000 && ev2=$R || return 1
	case "$ev1 $ev2" in *"$IP2:$PORT"*"$IP3:$PORT"*|*"$IP3:$PORT"*"$IP2:$PORT"*) ;;
	*) echo "# $ev1 $ev2"; return 1 ;; esac
	[ "$(templates $NS1)" = 2 ] && [ "$(dirs $NS1 tx)" = 0 ] || return 1
	app A peers $IP2:$PORT,$IP3:$PORT && app A reset && app B reset && app C reset || return 1
	app B send 20 && app C send 20 || return 1
	app A expect_from $IP2:$PORT 20 5000 && app A expect_from $IP3:$PORT 20 5000 || return 1
	app A answer $IP2:$PORT "$answer_b" || return 1
	app A wait secure 20000 || return 1
	[ "$(json_get peer)" = $IP2:$PORT ] && [ "$(json_get verified)" = true ] || return 1
	# the session goes on with B: the answer is taken, C's association fails
	app A answer $IP3:$PORT "$(tamper "$answer_c")" || return 1
	[ "$(templates $NS1)" = 2 ] && [ "$(dirs $NS1 tx)" = 1 ] ||
		{ echo "# A: $(templates $NS1) templates, $(dirs $NS1 tx) TX"; return 1; }
	app A wait association_failed 5000 || return 1
	[ "$(json_get peer)" = $IP3:$PORT ] || return 1
	app A reset && app B reset && app C reset || return 1
	app A send 20 && app B send 20 && app C send 20 || return 1
	app B expect 20 5000 && app A expect_from $IP2:$PORT 20 5000 || return 1
	app A stats || return 1
	echo "# A: $R"
	case $R in *"peer=$IP3:$PORT/0/0/"*) ;; *) return 1 ;; esac
	app A peers $IP2:$PORT || return 1
	app A delete && app B delete && app C delete || return 1
	no_templates $NS1 && no_templates $NS2
}
step "early_media with two forks: RX for each, one verified, the other's mismatch fails it alone" early_forks

# keyd A SIGKILLed with early media flowing, before the answer: the DTLS
# association died with it, and nothing could ever verify B's certificate.
# The restarted keyd removes the RX template (B's media is dropped again,
# rx_no_ctx) and fails the session with the reason.
early_restart() {
	early_offer "" || return 1
	early_rx || return 1
	keyd_crash_restart || return 1
	grep 'unverified DTLS keys' "$D/keyd-A.log" | sed 's/^/# keyd A: /'
	grep -q 'unverified DTLS keys of a fork not adopted: removed.*dir=rx err=none' \
		"$D/keyd-A.log" || return 1
	no_templates $NS1 || return 1
	[ "$(dirs $NS1 rx)" = 0 ] || { echo "# A still has RX contexts"; return 1; }
	app A reconnect || return 1
	app A status || return 1
	[ "$(json_get state)" = failed ] || { echo "# A: $R" | cut -c1-900; return 1; }
	case $R in *"handshake was lost"*) ;; *) echo "# A: $R" | cut -c1-900; return 1 ;; esac
	clipped "after the restart" || return 1
	app A delete && app B delete
}
step "early_media, keyd killed before the answer: the restarted keyd removes the unverified RX" early_restart

app A quit > /dev/null 2>&1
app B quit > /dev/null 2>&1
app C quit > /dev/null 2>&1
ktap_finish
