#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ksrtp-keyd under attack. DTLS: `openssl s_client` peers with a throwaway
# certificate complete handshakes with an offerer open to any address
# (nobody signalled them: "unverified"); eight from one address keep at
# most dtls_unverified_per_source slots, eight from eight addresses fill
# every slot, and the real answerer (keyd B) still completes, its answer
# with its address is accepted, keys go into the kernel and RTP flows both
# ways. The control socket: its directory and socket modes and group
# (socket_group), a client running as nobody sees none of root's sessions
# and is refused on them (permission_denied) unless it is in admin_group,
# idle clients are closed after client_idle_timeout while a watcher is
# not, keyd is not dumpable, and a short dtls_cert_lifetime renews the
# certificate for new sessions while an existing one keeps its own.
#
# Runs as root with ksrtp.ko loaded (selftests/run.sh in the VM); cwd is the
# project tree, binaries in build/bin.
. "$(dirname "$0")/lib.sh"

KEYD_TEST=keyd_attack
. "$(dirname "$0")/keyd_lib.sh"

ktap_plan 8
OSSL_PIDS=''
KDC="$BIN/ksrtp-keydctl"
PY=/usr/bin/python3

setup() {
	command -v openssl > /dev/null && command -v setpriv > /dev/null ||
		{ echo "# needs openssl and setpriv"; return 1; }
	keyd_setup "A B" "allow_insecure_signalling = no
log_level = info
dtls_unverified_timeout = 0" || return 1
	# eight more addresses in $NS2: one attacker each
	for i in 0 1 2 3 4 5 6 7; do
		ip -n $NS2 addr add 10.99.1.1$i/24 dev kd-veth2 || return 1
	done
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$D/key.pem" -out "$D/cert.pem" -days 2 -subj /CN=throwaway \
		> "$D/req.log" 2>&1 || return 1
	# keyd C: the control-socket and certificate tests, its own configuration
	printf '%s\n' "socket_group = nogroup" "admin_group = adm" \
		"client_idle_timeout = 2" "dtls_cert_lifetime = 9" "log_level = info" \
		> "$D/keyd-c.conf"
	# let nobody through $D (mktemp: 0700); keyd C creates $D/c itself
	chmod 0711 "$D" || return 1
	ip netns exec $NS2 "$BIN/ksrtp-keyd" -f -c "$D/keyd-c.conf" -s "$D/c/ctl.sock" \
		-d "$D/state-C" >> "$D/keyd-C.log" 2>&1 &
	KEYD_C=$!
	i=0
	until "$KDC" -s "$D/c/ctl.sock" -t 2 ping > /dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.1
	done
	# app C starts with the authz step: without a session it would be idle
	ln -s "$D/c/ctl.sock" "$D/keyd-C.sock"
}
step "setup: namespaces, keyds A, B and C, apps, a throwaway certificate" setup
setup_or_skip 8

# attack FROM_IP... : one s_client per address (IP or IP:PORT) against A's
# port, stdin held open (a FIFO each) so that they stay connected.
attack() {
	for a in "$@"; do
		case $a in *:*) ;; *) a=$a:0 ;; esac
		n=$(echo "$a" | tr '.:' '__')
		mkfifo "$D/ossl-$n.in" || return 1
		ip netns exec $NS2 openssl s_client -dtls1_2 -bind "$a" -connect $IP1:$PORT \
			-cert "$D/cert.pem" -key "$D/key.pem" -use_srtp SRTP_AES128_CM_SHA1_80 \
			< "$D/ossl-$n.in" > "$D/ossl-$n.out" 2>&1 &
		OSSL_PIDS="$OSSL_PIDS $!"
		PEER_PIDS="$PEER_PIDS $!"
		# a writer that never writes: s_client reads no EOF
		sleep 600 > "$D/ossl-$n.in" &
		PEER_PIDS="$PEER_PIDS $!"
	done
	# every handshake done from the attackers' side (15 s at most)
	i=0
	while [ $i -lt 150 ]; do
		done=0
		for a in "$@"; do
			case $a in *:*) ;; *) a=$a:0 ;; esac
			n=$(echo "$a" | tr '.:' '__')
			grep -q 'SRTP Extension negotiated' "$D/ossl-$n.out" && done=$((done + 1))
		done
		[ $done = $# ] && break
		i=$((i + 1))
		sleep 0.1
	done
	echo "# $done of $# attackers completed their handshake"
	sleep 0.5
}

# quiet: SIGKILL the attackers (no close_notify: keyd keeps their
# associations as they are). An s_client that got close_notify may spin on
# its socket and slow the whole VM down.
quiet() {
	for p in $OSSL_PIDS; do kill -9 "$p" 2>/dev/null; done
	OSSL_PIDS=
}

# assocs: A's status; ASSOCS = its DTLS associations, ASSOC_IP3 = those from $IP3
assocs() {
	app A status || return 1
	# an association's object starts "peer":...,"role" (other fields say "peer" too)
	ASSOCS=$(echo "$R" | grep -o '"peer":"[^"]*","role"' | wc -l)
	ASSOC_IP3=$(echo "$R" | grep -o "\"peer\":\"$IP3:[0-9]*\",\"role\"" | wc -l)
	echo "# A: $ASSOCS associations, $ASSOC_IP3 from $IP3:" \
		$(echo "$R" | grep -o '"peer":"[^"]*","role":"[^"]*","handshake":"[^"]*"' |
		  sed 's/"peer":"\([^"]*\)".*"handshake":"\([^"]*\)"/\1=\2/')
}

dtls_attack() {
	app A flush && app B flush || return 1
	app A create offerer method dtls || return 1
	app B create answerer bind method dtls || return 1
	app A local || return 1
	offer=$R
	# eight from one address: at most dtls_unverified_per_source (2) stay
	echo "# t=$(date +%s) offer out"
	attack $IP3:41001 $IP3:41002 $IP3:41003 $IP3:41004 $IP3:41005 $IP3:41006 \
		$IP3:41007 $IP3:41008 || return 1
	assocs || return 1
	quiet
	[ "$ASSOC_IP3" -le 2 ] && [ "$ASSOC_IP3" -ge 1 ] ||
		{ echo "# $ASSOC_IP3 associations from one address"; return 1; }
	# eight from eight addresses: every slot taken
	echo "# t=$(date +%s) phase 2"
	attack 10.99.1.10 10.99.1.11 10.99.1.12 10.99.1.13 10.99.1.14 10.99.1.15 \
		10.99.1.16 10.99.1.17 || return 1
	assocs || return 1
	quiet
	[ "$ASSOCS" = 8 ] || { echo "# $ASSOCS associations, wanted all 8 slots used"; return 1; }
	pending=$(echo "$R" | grep -o '"role":"server","handshake":"connected","verify":"pending"' |
		  wc -l)
	echo "# $pending of them connected / verify: pending"
	[ "$pending" = 8 ] || return 1
	# the real answerer: its ClientHello and its answer (with its address)
	echo "# t=$(date +%s) attackers in place; top: $(ps -eo pcpu=,comm= | sort -rn | head -n 3 | tr -s ' \n' ' ')"
	app B remote "$offer" && app B local || return 1
	answer=$R
	echo "# t=$(date +%s) answered"
	app A answer $IP2:$PORT "$answer" || return 1
	echo "# t=$(date +%s) answer applied"
	app A wait secure 20000 || return 1
	app B wait secure 20000 || return 1
	echo "# t=$(date +%s) both secure"
	exchange 20 || return 1
	echo "# t=$(date +%s) media exchanged"
	app A status || return 1
	case $R in *"\"peer\":\"$IP2:$PORT\""*'"verify":"verified"'*) ;;
		*) echo "# $R" | cut -c1-800; return 1 ;; esac
	[ "$(templates $NS1)" -ge 2 ] || { echo "# no templates in $NS1"; return 1; }
	n=$(grep -c 'DTLS association of an unverified peer dropped' "$D/keyd-A.log")
	echo "# keyd A turned $n unverified peers away (level=info)"
	[ "$n" -ge 7 ] && grep 'unverified peer dropped' "$D/keyd-A.log" | grep -q 'level=info'
}
step "DTLS: 8 unverified peers from one address keep <= 2 slots, 8 from 8 addresses fill all 8, the real answerer still completes, keys installed, RTP both ways" dtls_attack
quiet
app A delete > /dev/null; app B delete > /dev/null

# mode_of PATH: "octal-mode group"
mode_of() {
	stat -c '%a %G' "$1"
}

socket_modes() {
	m=$(mode_of "$D/c/ctl.sock") d=$(mode_of "$D/c")
	echo "# socket: $m, directory: $d"
	[ "$m" = "660 nogroup" ] && [ "$d" = "750 nogroup" ]
}
step "control socket 0660 and the directory keyd created 0750, both of socket_group" socket_modes

# as_nobody [GROUPS] CMD...: CMD as uid nobody, group nogroup (plus GROUPS)
as_nobody() {
	g=
	case $1 in --groups=*) g=$1; shift ;; esac
	setpriv --reuid=nobody --regid=nogroup ${g:---clear-groups} "$@"
}

authz() {
	app_start C || return 1
	app C create offerer method dtls || return 1
	sid=$R
	as_nobody "$KDC" -s "$D/c/ctl.sock" list > "$D/list.out"
	rc=$?
	echo "# nobody: list exit $rc: $(cat "$D/list.out" | tr -d '\n' | cut -c1-200)"
	[ $rc = 0 ] || return 1
	grep -q "$sid" "$D/list.out" && { echo "# nobody sees root's session"; return 1; }
	for op in status delete watch local; do
		as_nobody "$KDC" -s "$D/c/ctl.sock" -t 2 $op "$sid" > "$D/op.out"
		rc=$?
		echo "# nobody: $op exit $rc: $(tr -d '\n' < "$D/op.out" | cut -c1-160)"
		[ $rc = 1 ] && grep -q '"code":"permission_denied"' "$D/op.out" || return 1
	done
	# still there, untouched; and visible to a member of admin_group
	app C status || return 1
	[ "$(json_get state)" = new ] || return 1
	as_nobody --groups=adm "$KDC" -s "$D/c/ctl.sock" list > "$D/list.out" || return 1
	grep -q "$sid" "$D/list.out" || { echo "# admin_group member does not see it"; return 1; }
	as_nobody --groups=adm "$KDC" -s "$D/c/ctl.sock" status "$sid" > /dev/null
}
step "a client as nobody: root's session not listed, status/delete/watch/local refused (permission_denied); admin_group sees it" authz

idle() {
	# a client that says nothing: told why, then closed after
	# client_idle_timeout (2 s)
	t=$(ip netns exec $NS2 $PY -c '
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
t0 = time.monotonic()
s.settimeout(10)
d = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    d += b
ev = json.loads(d)
print("%s %s %.1f" % (ev["event"], ev["reason"], time.monotonic() - t0))
' "$D/c/ctl.sock") || return 1
	echo "# idle client: the line before the close, seconds until closed: $t"
	set -- $t
	[ "$1 $2" = "closing idle" ] || return 1
	awk -v s="$3" 'BEGIN { exit !(s >= 1.5 && s <= 4.5) }' || return 1
	grep -q 'level=info msg="idle client disconnected"' "$D/keyd-C.log" || return 1
	# app C owns a session (it watches it): idle as long, still served
	n=$(grep -c 'idle client disconnected' "$D/keyd-C.log")
	sleep 3
	app C status || return 1
	[ "$(grep -c 'idle client disconnected' "$D/keyd-C.log")" = "$n" ] || return 1
	# owning nothing, app C is closed like anyone; libksrtpkeyd reconnects
	# on keyd's notice and its next request is served
	app C flush && app C delete > /dev/null || return 1
	sleep 3
	[ "$(grep -c 'idle client disconnected' "$D/keyd-C.log")" -gt "$n" ] || return 1
	app C create offerer method dtls
}
step "an idle client is told and closed after client_idle_timeout; a watcher is not; the library reconnects" idle

dumpable() {
	for s in "$D/keyd-A.sock" "$D/c/ctl.sock"; do
		R=$("$KDC" -s "$s" ping) || return 1
		[ "$(json_get dumpable)" = 0 ] || { echo "# $R"; return 1; }
	done
}
step "keyd is not dumpable (PR_GET_DUMPABLE 0)" dumpable

renewal() {
	app C flush && app C delete > /dev/null
	app C create offerer method dtls || return 1
	s1=$R
	app C local || return 1
	fp1=$(fp_of "$R")
	sleep 6.5			# 2/3 of dtls_cert_lifetime = 9 s
	grep -q 'DTLS certificate renewed' "$D/keyd-C.log" || return 1
	# the first session keeps the certificate it signalled
	R=$("$KDC" -s "$D/c/ctl.sock" status "$s1") || return 1
	[ "$(json_get fingerprint)" = "$fp1" ] || { echo "# $R" | cut -c1-300; return 1; }
	# a new session gets the new one
	app C delete && app C create offerer method dtls || return 1
	app C local || return 1
	fp2=$(fp_of "$R")
	echo "# first session: $fp1; new session after 6.5 s: $fp2"
	[ -n "$fp1" ] && [ -n "$fp2" ] && [ "$fp1" != "$fp2" ]
}
step "dtls_cert_lifetime: renewed for new sessions, an existing one keeps its fingerprint" renewal

socket_group_dir() {
	# nobody (group nogroup) may reach and use the socket; the same uid in
	# another group may not even reach it
	as_nobody test -x "$D/c" && as_nobody test -w "$D/c/ctl.sock" || return 1
	setpriv --reuid=nobody --regid=adm --clear-groups test -x "$D/c" &&
		{ echo "# group adm reaches $D/c"; return 1; }
	setpriv --reuid=nobody --regid=adm --clear-groups "$KDC" -s "$D/c/ctl.sock" ping \
		> /dev/null 2>&1
	[ $? = 3 ]	# keyd cannot be reached
}
step "socket_group members reach the socket, others do not" socket_group_dir

app A quit > /dev/null 2>&1
app B quit > /dev/null 2>&1
app C quit > /dev/null 2>&1
ktap_finish
