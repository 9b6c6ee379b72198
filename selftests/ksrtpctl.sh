#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ksrtpctl end to end, with ksrtp.ko loaded: two rtp_peer processes talk
# plain RTP while ksrtpctl attaches their sockets (attach pid PID fd 3) and
# installs contexts, so the wire carries SRTP and each application still
# reads the other's plaintext. Then show (text and JSON, counters, never key
# material), key add/swap/del, ctx del, fwd add/show/del, detach, monitor events, non-RTP
# pass-through, ENOKEY without a TX context, set (max-learned, upcall and
# the upcall port) and the CLI's error paths.
. "$(dirname "$0")/lib.sh"

SRCDIR=$(cd "$(dirname "$0")" && pwd)
CTL=$BIN/ksrtpctl
PEER=$BIN/rtp_peer
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
T=$(mktemp -d /tmp/ksrtpctl-test.XXXXXX)
PIDS=
# Ports of this run: a block of 40 that depends on our pid.
PORT=$((20000 + ($$ % 1000) * 40))
N=5
# With force_async=1 (crypto_async.sh runs us so) AES-CM and GCM go through
# an asynchronous wrapper where the kernel has one, and so may they after:
# a pcrypt instance outranks the driver it wraps until reboot. 1 if so.
async_for() {
	"$CTL" -j info | grep -Eq "\"$1_driver\": *\"(cryptd|pcrypt)\("
}
ASYNC_CM=0; async_for ctr && ASYNC_CM=1
ASYNC_GCM=0; async_for gcm && ASYNC_GCM=1
ASYNC_F8=0; async_for f8 && ASYNC_F8=1
# RX goes asynchronous only where the module can finish packets so
RX_ASYNC=0; "$CTL" -j info | grep -q '"rx-async"' && RX_ASYNC=1

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ktap_plan 42

# ------------------------------------------------------------ helpers

if [ ! -x "$PEER" ] || [ "$SRCDIR/rtp_peer.c" -nt "$PEER" ]; then
	{ cc -O2 -Wall -Wextra -Werror -o "$PEER.$$" "$SRCDIR/rtp_peer.c" &&
	  mv -f "$PEER.$$" "$PEER"; } || { echo "Bail out! cannot build rtp_peer"; exit 1; }
fi

# wait_line FILE REGEX [SECONDS]: until a line of FILE matches
wait_line() {
	i=$((${3:-30} * 10))
	while ! grep -Eq "$2" "$1" 2>/dev/null; do
		i=$((i - 1))
		if [ $i -le 0 ]; then
			echo "no line matching '$2' in $1:" >&2
			cat "$1" >&2 2>/dev/null
			return 1
		fi
		sleep 0.1
	done
}

# peer TAG ARGS...: start rtp_peer in the background, wait until it is bound;
# its pid lands in $TAG_pid, its output in $T/TAG.out and $T/TAG.err
peer() {
	tag=$1; shift
	"$PEER" --timeout-ms 30000 "$@" > "$T/$tag.out" 2> "$T/$tag.err" &
	eval "${tag}_pid=$!"
	PIDS="$PIDS $!"
	wait_line "$T/$tag.out" '^ready ' 20 || { cat "$T/$tag.err" >&2; return 1; }
}

# attach_peer TAG: attach fd 3 of the peer, cookie in $TAG_ck
attach_peer() {
	eval "pid=\$${1}_pid"
	ck=$("$CTL" attach pid "$pid" fd 3) || return 1
	ck=${ck#cookie }
	case $ck in
	''|*[!0-9]*) echo "attach printed '$ck'" >&2; return 1 ;;
	esac
	eval "${1}_ck=$ck"
}

# exited TAG RC: the peer exits with status RC
exited() {
	eval "pid=\$${1}_pid"
	wait "$pid"
	rc=$?
	[ "$rc" = "$2" ] && return 0
	echo "rtp_peer $1 exited $rc, not $2:" >&2
	cat "$T/$1.out" "$T/$1.err" >&2
	return 1
}

# tp NAME CMD...: one test point; unlike check, CMD runs in this shell, so it
# can start peers and set variables. Its output is shown when it fails.
tp() {
	tp_name=$1; shift
	if "$@" > "$T/tp.log" 2>&1; then
		ktap_ok "$tp_name"
	else
		sed 's/^/# /' "$T/tp.log"
		ktap_fail "$tp_name"
	fi
}

rand_key() { head -c "$1" /dev/urandom | base64 -w0; }
b64hex() { printf '%s' "$1" | base64 -d | od -An -v -tx1 | tr -d ' \n'; }

# expected_rx SSRC SEQ0 TEXT: the rx lines of N packets "TEXT #i", less len=
expected_rx() {
	i=1
	while [ $i -le $N ]; do
		echo "rx ssrc=$1 seq=$((($2 + i - 1) % 65536)) payload=$3 #$i"
		i=$((i + 1))
	done
}
rx_lines() { sed -n 's/^\(rx .*\) len=[0-9]* \(payload=.*\)$/\1 \2/p' "$1"; }

# same_rx TAG SSRC SEQ0 TEXT: TAG received exactly those plaintexts
same_rx() {
	expected_rx "$2" "$3" "$4" > "$T/want"
	rx_lines "$T/$1.out" > "$T/got"
	diff -u "$T/want" "$T/got"
}

# jcheck PYTHON: run PYTHON against `ksrtpctl -j show`, parsed as `socks`;
# sock(cookie) and ctx(cookie, dir, ssrc) pick entries, eq() asserts.
cat > "$T/jcheck.py" <<'EOF'
import json, sys
socks = json.load(open(sys.argv[1]))
assert isinstance(socks, list), socks
def sock(c):
    m = [s for s in socks if s["cookie"] == int(c)]
    return m[0] if m else None
def ctx(c, d, ssrc):
    m = [x for x in sock(c)["contexts"]
         if x["dir"] == d and x.get("ssrc") == ssrc]
    return m[0] if m else None
def eq(got, want, what):
    if got != want:
        sys.exit("%s: got %r, want %r\n%s" % (what, got, want,
                 json.dumps(socks, indent=1)))
exec(sys.argv[2])
EOF
jcheck() {
	"$CTL" -j show > "$T/show.json" || return 1
	"$PY" "$T/jcheck.py" "$T/show.json" "$1"
}

# fails RC REGEX CMD...: CMD exits RC and says something matching REGEX
fails() {
	want=$1 re=$2; shift 2
	msg=$("$@" 2>&1)
	rc=$?
	echo "$*: exit $rc: $msg"
	[ "$rc" = "$want" ] && echo "$msg" | grep -Eq "$re"
}

# no_key KEY-BASE64 OUTPUT-FILES...: neither the key nor its hex appear
no_key() {
	b64=$1; shift
	hex=$(b64hex "$b64")
	klen=$(( (${#hex} / 2 - 14) * 2 ))	# 14-byte salt...
	[ ${#hex} = 56 ] || [ ${#hex} = 88 ] && klen=$(( (${#hex} / 2 - 12) * 2 ))	# ...12 for GCM
	mk=$(echo "$hex" | cut -c1-$klen)
	salt=$(echo "$hex" | cut -c$((klen + 1))-)
	b64pre=$(echo "$b64" | cut -c1-20)
	for pat in "$b64" "$b64pre" ; do
		if grep -F -q -- "$pat" "$@"; then
			echo "key base64 '$pat' found in output" >&2
			return 1
		fi
	done
	for pat in "$hex" "$mk" "$salt"; do
		# also as "0a 1b ..." and "0a:1b:..."
		spaced=$(echo "$pat" | sed 's/../& /g; s/ $//')
		coloned=$(echo "$pat" | sed 's/../&:/g; s/:$//')
		for p in "$pat" "$spaced" "$coloned"; do
			if grep -F -i -q -- "$p" "$@"; then
				echo "key hex '$p' found in output" >&2
				return 1
			fi
		done
	done
}

# show_all FILE-PREFIX: every form of show, for the key checks
show_all() {
	"$CTL" show > "$1.txt" && "$CTL" -j show > "$1.json" &&
		"$CTL" -j -p show > "$1.pretty"
}

# ------------------------------------------------------------ monitor

"$CTL" monitor > "$T/mon" 2> "$T/mon.err" &
MON=$!
PIDS="$PIDS $MON"

# ------------------------------------------------------------ AES_CM_128_HMAC_SHA1_80
SUITE1=AES_CM_128_HMAC_SHA1_80
KA=$(rand_key 30)	# A -> B
KB=$(rand_key 30)	# B -> A
KA2=$(rand_key 30)	# A's second key
SA=0x11111111
SB=0x22222222
PA=$PORT
PB=$((PORT + 1))

setup1() {
	peer a --bind 127.0.0.1:$PA --peer 127.0.0.1:$PB --ssrc $SA --seq 100 \
		--send $N --recv $N --text "hello from A" \
		--wait-attach "$T/go1" --wait-exit "$T/exit1" || return 1
	peer b --bind 127.0.0.1:$PB --peer 127.0.0.1:$PA --ssrc $SB --seq 65533 \
		--send $N --recv $N --text "hello from B" \
		--wait-attach "$T/go1" --wait-exit "$T/exit1" || return 1
	attach_peer a && attach_peer b || return 1
	[ "$a_ck" != "$b_ck" ] || { echo "same cookie $a_ck for both" >&2; return 1; }
}
tp "attach_pid_fd" setup1

ctx_add1() {
	"$CTL" ctx add sock "$a_ck" dir tx ssrc $SA suite $SUITE1 key "$KA" &&
	"$CTL" ctx add sock "$a_ck" dir rx ssrc $SB suite $SUITE1 key "$KB" &&
	"$CTL" ctx add sock "$b_ck" dir rx ssrc $SA suite $SUITE1 key "$KA" &&
	"$CTL" ctx add sock "$b_ck" dir tx ssrc $SB suite $SUITE1 key "$KB"
}
tp "ctx_add_aes_cm_128_hmac_sha1_80" ctx_add1

call1() {
	touch "$T/go1"
	wait_line "$T/a.out" "^sent $N received $N\$" 60 &&
		wait_line "$T/b.out" "^sent $N received $N\$" 60 || return 1
	# B sends seq 65533, 65534, 65535, 0, 1: its ROC rolls over
	same_rx b $SA 100 "hello from A" && same_rx a $SB 65533 "hello from B"
}
tp "aes_cm_plaintext_both_ways" call1

tp "show_json_counters" jcheck "
for c, tx, rx, port in (($a_ck, $SA, $SB, $PA), ($b_ck, $SB, $SA, $PB)):
    s = sock(c)
    assert s, 'socket %d not listed' % c
    eq(s['family'], 'inet', 'family')
    eq(s['local_port'], port, 'local_port')
    eq(s['n_ctx'], 2, 'n_ctx')
    st = s['stats']
    for k, v in (('tx_srtp', $N), ('rx_srtp', $N), ('tx_packets', $N),
                 ('rx_packets', $N), ('tx_no_ctx', 0), ('rx_no_ctx', 0),
                 ('rx_malformed', 0), ('tx_passthrough', 0)):
        eq(st[k], v, '%d %s' % (c, k))
    # every packet's crypto went through cryptd, none was lost for it
    async_n = $N if $ASYNC_CM else 0
    eq((st['tx_async'], st['rx_async']), (async_n, async_n if $RX_ASYNC else 0),
       '%d tx/rx_async' % c)
    eq(st['rx_async_drops'], 0, '%d rx_async_drops' % c)
    t, r = ctx(c, 'tx', tx), ctx(c, 'rx', rx)
    assert t and r, 'contexts missing'
    for x in (t, r):
        eq(x['suite'], '$SUITE1', 'suite')
        eq(x['origin'], 'explicit', 'origin')
        eq(x['stats']['packets'], $N, x['dir'] + ' packets')
        eq(x['stats']['auth_fail'], 0, x['dir'] + ' auth_fail')
        eq(x['stats']['replay_drop'], 0, x['dir'] + ' replay_drop')
        eq([(k['id'], k['active']) for k in x['keys']], [(0, True)], 'keys')
        eq(x['keys'][0]['srtp_packets'], $N, 'key srtp_packets')
eq(ctx($b_ck, 'tx', $SB)['roc'], 1, 'B tx roc after seq 65535')
eq(ctx($a_ck, 'rx', $SB)['roc'], 1, 'A rx roc after seq 65535')
eq(ctx($a_ck, 'tx', $SA)['roc'], 0, 'A tx roc')
"

tp "show_text" sh -c "
	\"$CTL\" show > \"$T/show.txt\" &&
	grep -q '^sock $a_ck family inet port $PA ctx 2' \"$T/show.txt\" &&
	grep -q '^    ctx tx ssrc 0x11111111 suite $SUITE1 origin explicit' \"$T/show.txt\" &&
	grep -q '^        key id 0 active srtp-packets $N' \"$T/show.txt\" &&
	grep -q 'tx-srtp $N' \"$T/show.txt\" || { cat \"$T/show.txt\"; exit 1; }"

# ------------------------------------------------------------ keys
KEYSEL="sock $a_ck dir tx ssrc $SA"
keys_are() {	# keys_are "[(id, active), ...]"
	jcheck "eq([(k['id'], k['active']) for k in ctx($a_ck, 'tx', $SA)['keys']], $1, 'keys')"
}
key_add() {
	"$CTL" key add $KEYSEL suite $SUITE1 key "$KA2" key-id 1 &&
	keys_are "[(0, True), (1, False)]"
}
tp "key_add" key_add
tp "key_add_duplicate_id_refused" fails 1 'ksrtpctl: key add: .+' \
	"$CTL" key add $KEYSEL suite $SUITE1 key "$KA2" key-id 1
key_swap() { "$CTL" key swap $KEYSEL key-id 1 && keys_are "[(0, False), (1, True)]"; }
tp "key_swap" key_swap
tp "key_del_active_refused" fails 1 'ksrtpctl: key del: .+' \
	"$CTL" key del $KEYSEL key-id 1
tp "key_swap_unknown_id_refused" fails 1 'ksrtpctl: key swap: .+' \
	"$CTL" key swap $KEYSEL key-id 7
del_old() { "$CTL" key del $KEYSEL key-id 0 && keys_are "[(1, True)]"; }
tp "key_del_old" del_old

no_keys1() {
	show_all "$T/s1" || return 1
	for k in "$KA" "$KB" "$KA2"; do
		no_key "$k" "$T/s1.txt" "$T/s1.json" "$T/s1.pretty" || return 1
	done
}
tp "no_key_material_in_show" no_keys1

# ------------------------------------------------------------ ctx del, detach
ctx_del() {
	"$CTL" ctx del sock "$a_ck" dir rx ssrc $SB &&
	jcheck "
eq(ctx($a_ck, 'rx', $SB), None, 'deleted context')
eq(sock($a_ck)['n_ctx'], 1, 'n_ctx')
assert ctx($a_ck, 'tx', $SA), 'the other context went too'"
}
tp "ctx_del" ctx_del
tp "ctx_del_again_enoent" fails 1 'ksrtpctl: ctx del: .+' \
	"$CTL" ctx del sock "$a_ck" dir rx ssrc $SB

# ------------------------------------------------------------ fwd
fwd_cli() {
	out=$("$CTL" fwd add rx "$a_ck" ssrc 0x55 tx "$b_ck" to 127.0.0.1:9 \
		ssrc-out 0x66 seq-offset 7 ts-offset 8 pt 0,96-97 flags copy-to-app) || return 1
	echo "$out" | grep -Eq '^fwd [0-9]+$' || { echo "fwd add said: $out" >&2; return 1; }
	id=${out#fwd }
	"$CTL" -j fwd show id "$id" > "$T/fwd.json" || return 1
	"$PY" - "$T/fwd.json" "$id" "$a_ck" "$b_ck" <<'EOF2' || return 1
import json, sys
f, = json.load(open(sys.argv[1]))
want = {"id": int(sys.argv[2]), "rx_sock_cookie": int(sys.argv[3]), "ssrc": 0x55,
        "tx_sock_cookie": int(sys.argv[4]), "remote_addr": "127.0.0.1",
        "remote_port": 9, "ssrc_out": 0x66, "seq_offset": 7, "ts_offset": 8,
        "pt_filter": [0, 96, 97], "flags": ["copy-to-app"]}
for k, v in want.items():
    if f.get(k) != v:
        sys.exit("%s: got %r, want %r" % (k, f.get(k), v))
if f["stats"]["packets"] != 0 or "idle_ms" not in f["stats"]:
    sys.exit("stats: %r" % f["stats"])
EOF2
	"$CTL" fwd show rx "$a_ck" > "$T/fwd.txt" &&
	grep -q "^fwd $id rx $a_ck ssrc 0x00000055 tx $b_ck to 127.0.0.1:9 ssrc-out 0x00000066 seq-offset 7 ts-offset 8 pt 0,96,97 flags copy-to-app\$" "$T/fwd.txt" &&
	grep -q "^    packets 0 bytes 0 rtcp-packets 0 rtcp-bytes 0 idle-ms [0-9]*\$" "$T/fwd.txt" &&
	"$CTL" fwd del id "$id" &&
	[ "$("$CTL" -j fwd show)" = "[]" ] || { cat "$T/fwd.txt" >&2; return 1; }
}
tp "fwd_add_show_del" fwd_cli
tp "fwd_del_unknown_enoent" fails 1 'ksrtpctl: fwd del: .*no forward with this id' \
	"$CTL" fwd del id 4000000000
# the forward below goes when b is detached (detach_by_request)
"$CTL" fwd add rx "$a_ck" ssrc 0x55 tx "$b_ck" to 127.0.0.1:9 > /dev/null

detach_b() {
	"$CTL" detach sock "$b_ck" &&
	jcheck "eq(sock($b_ck), None, 'detached socket'); assert sock($a_ck)" &&
	! "$CTL" show sock "$b_ck" > /dev/null 2>&1
}
tp "detach_by_request" detach_b
tp "monitor_detach_request" wait_line "$T/mon" "^sock-detach sock $b_ck reason request\$" 20
tp "fwd_gone_with_its_tx_socket" eval '[ "$("$CTL" -j fwd show)" = "[]" ]'

closed_a() {
	touch "$T/exit1"
	exited a 0 && exited b 0 || return 1
	wait_line "$T/mon" "^sock-detach sock $a_ck reason closed\$" 20 &&
	jcheck "eq(sock($a_ck), None, 'closed socket')"
}
tp "monitor_detach_closed" closed_a

# ------------------------------------------------------------ AEAD_AES_128_GCM over IPv6, with MKI
SUITE2=AEAD_AES_128_GCM
KC=$(rand_key 28)
KD=$(rand_key 28)
SC=0xc0c0c0c0
SD=0xd0d0d0d0
PC=$((PORT + 10))
PD=$((PORT + 11))
setup2() {
	peer c -6 --bind "[::1]:$PC" --peer "[::1]:$PD" --ssrc $SC --seq 1 \
		--send $N --recv $N --text "hello from C" \
		--wait-attach "$T/go2" --wait-exit "$T/exit2" &&
	peer d -6 --bind "[::1]:$PD" --peer "[::1]:$PC" --ssrc $SD --seq 4000 \
		--send $N --recv $N --text "hello from D" \
		--wait-attach "$T/go2" --wait-exit "$T/exit2" &&
	attach_peer c && attach_peer d &&
	"$CTL" ctx add sock "$c_ck" dir tx ssrc $SC suite $SUITE2 key "$KC" mki 0a &&
	"$CTL" ctx add sock "$c_ck" dir rx ssrc $SD suite $SUITE2 key "$KD" mki 0d &&
	"$CTL" ctx add sock "$d_ck" dir rx ssrc $SC suite $SUITE2 key "$KC" mki 0a &&
	"$CTL" ctx add sock "$d_ck" dir tx ssrc $SD suite $SUITE2 key "$KD" mki 0d
}
tp "gcm_ipv6_attach_ctx_add" setup2
call2() {
	touch "$T/go2"
	wait_line "$T/c.out" "^sent $N received $N\$" 60 &&
		wait_line "$T/d.out" "^sent $N received $N\$" 60 &&
		same_rx d $SC 1 "hello from C" && same_rx c $SD 4000 "hello from D"
}
tp "gcm_plaintext_both_ways" call2
tp "gcm_show_json_counters" jcheck "
for c, tx, rx, mt, mr in (($c_ck, $SC, $SD, '0a', '0d'), ($d_ck, $SD, $SC, '0d', '0a')):
    s = sock(c)
    eq(s['family'], 'inet6', 'family')
    eq((s['stats']['tx_srtp'], s['stats']['rx_srtp']), ($N, $N), 'tx/rx_srtp')
    async_n = $N if $ASYNC_GCM else 0
    eq((s['stats']['tx_async'], s['stats']['rx_async'], s['stats']['rx_async_drops']),
       (async_n, async_n if $RX_ASYNC else 0, 0), 'tx/rx_async, rx_async_drops')
    for x, m in ((ctx(c, 'tx', tx), mt), (ctx(c, 'rx', rx), mr)):
        eq(x['suite'], '$SUITE2', 'suite')
        eq(x['stats']['packets'], $N, 'packets')
        eq(x['stats']['auth_fail'], 0, 'auth_fail')
        eq([(k['id'], k.get('mki'), k['active']) for k in x['keys']],
           [(0, m, True)], 'keys')
"
gcm_no_key() {
	show_all "$T/s2" || return 1
	for k in "$KC" "$KD"; do
		no_key "$k" "$T/s2.txt" "$T/s2.json" "$T/s2.pretty" || return 1
	done
}
tp "gcm_no_key_material" gcm_no_key
touch "$T/exit2"
tp "gcm_peers_exit_cleanly" eval 'exited c 0 && exited d 0'

# ------------------------------------------------------------ F8_128_HMAC_SHA1_32, across a ROC wrap
SUITE3=F8_128_HMAC_SHA1_32
KG=$(rand_key 30)
KH=$(rand_key 30)
SP=0x6a6a6a6a
SQ=0x7b7b7b7b
PP=$((PORT + 30))
PQ=$((PORT + 31))
setup_f8() {
	peer p --bind 127.0.0.1:$PP --peer 127.0.0.1:$PQ --ssrc $SP --seq 65534 \
		--send $N --recv $N --text "hello from P over f8" \
		--wait-attach "$T/go_f8" --wait-exit "$T/exit_f8" &&
	peer q --bind 127.0.0.1:$PQ --peer 127.0.0.1:$PP --ssrc $SQ --seq 7 \
		--send $N --recv $N --text "hello from Q over f8" \
		--wait-attach "$T/go_f8" --wait-exit "$T/exit_f8" &&
	attach_peer p && attach_peer q &&
	"$CTL" ctx add sock "$p_ck" dir tx ssrc $SP suite $SUITE3 key "$KG" &&
	"$CTL" ctx add sock "$p_ck" dir rx ssrc $SQ suite $SUITE3 key "$KH" &&
	"$CTL" ctx add sock "$q_ck" dir rx ssrc $SP suite $SUITE3 key "$KG" &&
	"$CTL" ctx add sock "$q_ck" dir tx ssrc $SQ suite $SUITE3 key "$KH"
}
tp "f8_attach_ctx_add" setup_f8
call_f8() {
	touch "$T/go_f8"
	wait_line "$T/p.out" "^sent $N received $N\$" 60 &&
		wait_line "$T/q.out" "^sent $N received $N\$" 60 &&
		same_rx q $SP 65534 "hello from P over f8" &&
		same_rx p $SQ 7 "hello from Q over f8"
}
tp "f8_plaintext_both_ways" call_f8
tp "f8_show_json_counters" jcheck "
for c, tx, rx in (($p_ck, $SP, $SQ), ($q_ck, $SQ, $SP)):
    st = sock(c)['stats']
    eq((st['tx_srtp'], st['rx_srtp'], st['rx_malformed']), ($N, $N, 0), 'tx/rx_srtp')
    async_n = $N if $ASYNC_F8 else 0
    eq((st['tx_async'], st['rx_async'], st['rx_async_drops']),
       (async_n, async_n if $RX_ASYNC else 0, 0), 'tx/rx_async, rx_async_drops')
    for x in (ctx(c, 'tx', tx), ctx(c, 'rx', rx)):
        eq(x['suite'], '$SUITE3', 'suite')
        eq(x['stats']['packets'], $N, 'packets')
        eq((x['stats']['auth_fail'], x['stats']['replay_drop']), (0, 0), 'drops')
        eq(x['keys'][0]['srtp_packets'], $N, 'key srtp_packets')
eq(ctx($p_ck, 'tx', $SP)['roc'], 1, 'P tx roc after seq 65535')
eq(ctx($q_ck, 'rx', $SP)['roc'], 1, 'Q rx roc after seq 65535')
"
touch "$T/exit_f8"
tp "f8_peers_exit_cleanly" eval 'exited p 0 && exited q 0'

# ------------------------------------------------------------ what goes on the wire
PE=$((PORT + 20))
PF=$((PORT + 21))
# E is attached, F is not: F sees exactly what E's socket puts on the wire.
passthrough() {
	peer e --bind 127.0.0.1:$PE --peer 127.0.0.1:$PF --plain --send 2 --recv 2 \
		--text "plain text from E" --wait-attach "$T/go3" --wait-exit "$T/exit3" &&
	peer f --bind 127.0.0.1:$PF --peer 127.0.0.1:$PE --plain --send 2 --recv 2 \
		--text "plain text from F" --wait-attach "$T/go3" &&
	attach_peer e && touch "$T/go3" &&
	wait_line "$T/e.out" '^sent 2 received 2$' 30 &&
	wait_line "$T/f.out" '^sent 2 received 2$' 30 &&
	jcheck "eq((sock($e_ck)['stats']['tx_passthrough'], sock($e_ck)['stats']['rx_other'],
	    sock($e_ck)['stats']['tx_srtp']), (2, 2, 0), 'passthrough counters')"
	rc=$?
	touch "$T/exit3"
	[ $rc = 0 ] && exited e 0 && exited f 0 &&
	grep -q '^rx other len=20 payload=plain text from E #2$' "$T/f.out" &&
	grep -q '^rx other len=20 payload=plain text from F #2$' "$T/e.out"
}
tp "non_rtp_passes_unmodified" passthrough

# G attached without a TX context: its RTP is refused, nothing reaches H.
enokey() {
	peer h --bind 127.0.0.1:$PF --recv 1 --timeout-ms 3000 --wait-attach "$T/go4" &&
	peer g --bind 127.0.0.1:$PE --peer 127.0.0.1:$PF --send 1 \
		--text "must not leak" --wait-attach "$T/go4" &&
	attach_peer g && touch "$T/go4" &&
	exited g 3 && grep -q 'send failed: .*(ENOKEY)' "$T/g.err" &&
	exited h 1 && grep -q '^sent 0 received 0$' "$T/h.out"
}
tp "rtp_without_tx_ctx_enokey" enokey

# I has a TX context, J is not attached: J receives SRTP, not the text.
wire() {
	peer j --bind 127.0.0.1:$PF --recv 2 &&
	peer i --bind 127.0.0.1:$PE --peer 127.0.0.1:$PF --ssrc 0x51515151 --send 2 \
		--text "secret words" --wait-attach "$T/go5" --wait-exit "$T/exit5" &&
	attach_peer i &&
	"$CTL" ctx add sock "$i_ck" dir tx ssrc 0x51515151 suite $SUITE1 key "$KA" &&
	touch "$T/go5" && wait_line "$T/j.out" '^sent 0 received 2$' 30 || return 1
	cat "$T/j.out"
	# 12-byte header, 15-byte payload, 10-byte tag; the payload is ciphertext
	[ "$(grep -c '^rx ssrc=0x51515151 seq=[12] len=37 payload=' "$T/j.out")" = 2 ] &&
	! grep -q 'secret' "$T/j.out" &&
	jcheck "eq(sock($i_ck)['stats']['tx_srtp'], 2, 'tx_srtp')"
	rc=$?
	touch "$T/exit5"
	exited i 0 && exited j 0 && return $rc
}
tp "wire_carries_srtp" wire

# K attached with the dtls upcall by ksrtpctl (whose port is gone at once):
# set changes max-learned alone, then the upcall flags and, with them, the
# port upcalls go to; -j set prints nothing.
sock_set() {
	peer k --bind 127.0.0.1:$((PORT + 22)) --recv 1 --wait-attach "$T/go6" || return 1
	ck=$("$CTL" attach pid "$k_pid" fd 3 upcall dtls) || return 1
	k_ck=${ck#cookie }
	jcheck "s = sock($k_ck); eq(s['upcall'], ['dtls'], 'upcall')
open('$T/port', 'w').write(str(s['upcall_portid']))" || return 1
	port=$(cat "$T/port")
	out=$("$CTL" -j set sock "$k_ck" max-learned 9) && [ -z "$out" ] || return 1
	jcheck "s = sock($k_ck); eq((s['max_learned'], s['upcall_portid']), (9, $port), 'set max-learned')" ||
		return 1
	"$CTL" set sock "$k_ck" upcall none || return 1
	jcheck "s = sock($k_ck); eq(s['upcall'], [], 'upcall')
assert s['upcall_portid'] not in (0, $port), s" || return 1
	kill "$k_pid"
	wait "$k_pid" 2>/dev/null
	return 0
}
tp "set_max_learned_and_upcall" sock_set
tp "set_nothing_to_set" fails 2 'nothing to set' "$CTL" set sock 1
tp "set_unknown_socket" fails 1 'ksrtpctl: set: .+' "$CTL" set sock 12345 max-learned 3

# ------------------------------------------------------------ errors
attach_nonsock() {
	fails 1 'ksrtpctl: attach: fd 0: Socket operation on non-socket' \
		"$CTL" attach fd 0 < /dev/null &&
	fails 1 'ksrtpctl: attach: pid [0-9]+ fd 1: Socket operation on non-socket' \
		"$CTL" attach pid $$ fd 1
}
tp "attach_non_socket_fd" attach_nonsock
tcp_attach() {
	"$PY" - "$CTL" <<'EOF'
import socket, subprocess, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
p = subprocess.run([sys.argv[1], "attach", "fd", str(s.fileno())],
                   pass_fds=[s.fileno()], capture_output=True, text=True)
print("exit %d: %s" % (p.returncode, p.stderr.strip()))
sys.exit(0 if p.returncode == 1 and p.stderr.startswith("ksrtpctl: attach:") else 1)
EOF
}
tp "attach_tcp_socket_refused" tcp_attach
tp "attach_missing_pid" fails 1 'ksrtpctl: attach: pid 999999' \
	"$CTL" attach pid 999999 fd 3
tp "ctx_add_bad_suite" fails 2 'unknown suite' \
	"$CTL" ctx add sock 1 dir tx ssrc 1 suite AES_CM_129_HMAC_SHA1_80 key "$KA"
key_len() {
	fails 2 'AES_CM_128_HMAC_SHA1_80 takes 30 bytes' "$CTL" ctx add sock 1 dir tx \
		ssrc 1 suite $SUITE1 key "$(rand_key 28)" &&
	fails 2 'AEAD_AES_128_GCM takes 28 bytes' "$CTL" ctx add sock 1 dir tx \
		ssrc 1 suite $SUITE2 key "$(rand_key 30)" &&
	fails 2 'AEAD_AES_256_GCM takes 44 bytes' "$CTL" key add sock 1 dir rx \
		ssrc 1 suite AEAD_AES_256_GCM key "$(rand_key 46)" key-id 2
}
tp "wrong_key_length" key_len
tp "ctx_add_unknown_socket" fails 1 'ksrtpctl: ctx add: .+' \
	"$CTL" ctx add sock 12345 dir tx ssrc 1 suite $SUITE1 key "$KA"

# the monitor ran throughout and is still healthy
mon_stop() {
	kill "$MON" && wait "$MON" || return 1
	if [ -s "$T/mon.err" ]; then cat "$T/mon.err"; return 1; fi
	echo "monitor saw:"; cat "$T/mon"
}
tp "monitor_exits_on_sigterm" mon_stop
ktap_finish
