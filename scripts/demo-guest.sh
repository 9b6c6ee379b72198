#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The part of `make demo` that runs inside the VM, with ksrtp.ko loaded: a
# call between two network namespaces, alice and bob, joined by a veth pair.
# Each side runs rtp_peer, an application that only knows plain RTP;
# ksrtpctl attaches its socket and installs SRTP contexts, dumpcap on bob's
# veth shows that only ciphertext crosses the wire, and ksrtpctl show prints
# the counters. Exits non-zero as soon as anything does not work.
set -eu
BIN=$PWD/build/bin
CTL=$BIN/ksrtpctl
PEER=$BIN/rtp_peer
PY=/usr/bin/python3
N=5				# packets each way
SUITE=AES_CM_128_HMAC_SHA1_80
SSRC_A=0xa11ce001
SSRC_B=0x0000b0b0
PORT=5004
W=$(mktemp -d /tmp/ksrtp-demo.XXXXXX)
PIDS=

. "$(dirname "$0")/demo-lib.sh"
# ns NAME CMD...: run CMD in namespace NAME, showing it first
ns() { n=$1; shift; echo "$n# $*" | sed "s,$BIN/,,"; ip netns exec "$n" "$@"; }

if [ ! -x "$PEER" ] || [ selftests/rtp_peer.c -nt "$PEER" ]; then
	cc -O2 -Wall -Wextra -Werror -o "$PEER.$$" selftests/rtp_peer.c
	mv -f "$PEER.$$" "$PEER"
fi

# tshark's first start reads and initialises 100+ MB of dissectors, which
# takes a minute under emulation: do it now, in the background, so that the
# tshark that shows the capture later starts warm.
tshark -G protocols > /dev/null 2>&1 &
PIDS="$PIDS $!"
START=$(date +%s)

step "kernel and module"
echo "kernel $(uname -r), $(grep '^ksrtp ' /proc/modules | cut -d' ' -f1-2) bytes"
"$CTL" info

step "network: namespaces alice (10.99.0.1) and bob (10.99.0.2), one veth pair"
netns_pair 10.99.0.1 10.99.0.2
ip -n alice -br addr show dev veth-alice
ip -n bob -br addr show dev veth-bob

step "capture on bob's veth with dumpcap (the capture engine tshark runs)"
echo "bob# dumpcap -i veth-bob -f 'udp port $PORT' -c $((2 * N)) -P -w wire.pcap"
ip netns exec bob dumpcap -i veth-bob -f "udp port $PORT" -c $((2 * N)) \
	-a duration:120 -P -w "$W/wire.pcap" > "$W/dumpcap.out" 2>&1 &
DUMPCAP=$!
PIDS="$PIDS $DUMPCAP"

step "the applications: rtp_peer in each namespace, plain RTP on UDP port $PORT (fd 3)"
start_peer() {	# start_peer NS ME PEER SSRC TEXT: the app's pid in $PID_NS
	echo "$1# rtp_peer --bind $2:$PORT --peer $3:$PORT --ssrc $4 --send $N --recv $N --text '$5'"
	ip netns exec "$1" "$PEER" --bind "$2:$PORT" --peer "$3:$PORT" --ssrc "$4" \
		--send $N --recv $N --interval-ms 100 --timeout-ms 30000 --text "$5" \
		--wait-attach "$W/go" --wait-exit "$W/hangup" > "$W/$1.out" 2> "$W/$1.err" &
	PIDS="$PIDS $!"
	wait_line "$W/$1.out" '^ready ' 30
	eval "PID_$1=$(sed -n 's/^ready pid=\([0-9]*\).*/\1/p' "$W/$1.out")"
}
start_peer alice 10.99.0.1 10.99.0.2 $SSRC_A "hello from alice"
start_peer bob 10.99.0.2 10.99.0.1 $SSRC_B "hello from bob"
PID_A=$PID_alice
PID_B=$PID_bob
echo "alice's application is pid $PID_A, bob's is pid $PID_B; both wait for the go"

step "keys: two random SDES inline keys (30 bytes: 16-byte key + 14-byte salt)"
KEY_A=$(openssl rand -base64 30)	# alice -> bob
KEY_B=$(openssl rand -base64 30)	# bob -> alice
echo "alice -> bob: $KEY_A"
echo "bob -> alice: $KEY_B"

step "attach the applications' sockets and install the SRTP contexts"
echo "alice# ksrtpctl monitor > monitor.out &   (ksrtp's events, shown at hang-up)"
ip netns exec alice "$CTL" monitor > "$W/monitor.out" 2>&1 &
MON=$!
PIDS="$PIDS $MON"
attach() {	# attach NS PID: prints the cookie
	ip netns exec "$1" "$CTL" attach pid "$2" fd 3 | sed -n 's/^cookie //p'
}
echo "alice# ksrtpctl attach pid $PID_A fd 3"
CK_A=$(attach alice "$PID_A")
[ -n "$CK_A" ] || fail "attach in alice"
echo "cookie $CK_A"
echo "bob# ksrtpctl attach pid $PID_B fd 3"
CK_B=$(attach bob "$PID_B")
[ -n "$CK_B" ] || fail "attach in bob"
echo "cookie $CK_B"
ns alice "$CTL" ctx add sock "$CK_A" dir tx ssrc $SSRC_A suite $SUITE key "$KEY_A"
ns alice "$CTL" ctx add sock "$CK_A" dir rx ssrc $SSRC_B suite $SUITE key "$KEY_B"
ns bob "$CTL" ctx add sock "$CK_B" dir rx ssrc $SSRC_A suite $SUITE key "$KEY_A"
ns bob "$CTL" ctx add sock "$CK_B" dir tx ssrc $SSRC_B suite $SUITE key "$KEY_B"

step "the call: $N RTP packets each way"
# dumpcap reports the file once the interface is open and filtered.
wait_line "$W/dumpcap.out" '^File: ' 60
echo "dumpcap is capturing on veth-bob; go"
touch "$W/go"
wait_line "$W/alice.out" "^sent $N received $N\$" 60
wait_line "$W/bob.out" "^sent $N received $N\$" 60
wait "$DUMPCAP" || fail "dumpcap: $(cat "$W/dumpcap.out")"
grep '^Packets' "$W/dumpcap.out" || true
echo "done"

step "what the applications saw (plain RTP, as sent and received through their sockets)"
for n in alice bob; do
	echo "-- $n"
	grep -E '^(tx|rx|sent) ' "$W/$n.out"
done
# Each side received exactly the other's text, in order.
i=1
while [ $i -le $N ]; do
	grep -q "^rx ssrc=$SSRC_A seq=[0-9]* len=[0-9]* payload=hello from alice #$i\$" "$W/bob.out" ||
		fail "bob did not receive 'hello from alice #$i'"
	grep -q "^rx ssrc=0x$(printf %08x $SSRC_B) seq=[0-9]* len=[0-9]* payload=hello from bob #$i\$" "$W/alice.out" ||
		fail "alice did not receive 'hello from bob #$i'"
	i=$((i + 1))
done
echo "OK: each application read the other's plaintext"

step "what crossed the wire (captured on veth-bob): SRTP"
PYTHONPATH=$PWD/scripts "$PY" - "$W/wire.pcap" "$W/alice.out" "$W/bob.out" "$N" <<'EOF'
import re, sys
from demo_pcap import udp_payloads
wire, outs, n = sys.argv[1], sys.argv[2:4], int(sys.argv[4])
sent = {}		# (ssrc, seq) -> the plaintext the application sent
for f in outs:
    for line in open(f):
        m = re.match(r"tx ssrc=0x(\w+) seq=(\d+) len=\d+ payload=(.*)$", line)
        if m:
            sent[(int(m[1], 16), int(m[2]))] = m[3]
pkts = list(udp_payloads(wire))
bad = []
if len(pkts) != 2 * n:
    bad.append("captured %d packets, expected %d" % (len(pkts), 2 * n))
for i, (src, dst, p) in enumerate(pkts):
    ssrc, seq = int.from_bytes(p[8:12], "big"), int.from_bytes(p[2:4], "big")
    text = sent.get((ssrc, seq))
    if text is None:
        bad.append("packet %d: ssrc %#x seq %d was never sent" % (i + 1, ssrc, seq))
        continue
    # 12-byte RTP header in clear, encrypted payload, 10-byte HMAC-SHA1-80 tag
    if len(p) != 12 + len(text) + 10:
        bad.append("packet %d: %d bytes, expected %d" % (i + 1, len(p), 12 + len(text) + 10))
    if text.encode() in p:
        bad.append("packet %d: plaintext on the wire" % (i + 1))
    if i < 4:
        print("%s -> %s  ssrc %#010x seq %d" % (src, dst, ssrc, seq))
        print("  application sent : %r" % text)
        print("  RTP header (clear): %s" % p[:12].hex(" "))
        print("  SRTP payload      : %s" % p[12:-10].hex(" "))
        print("  auth tag          : %s" % p[-10:].hex(" "))
if len(pkts) > 4:
    print("... and %d more" % (len(pkts) - 4))
if bad:
    sys.exit("\n".join(bad))
print("OK: all %d packets are SRTP of the right length, none carries its plaintext" % len(pkts))
EOF
echo
echo "# tshark -r wire.pcap -P -x   (the first packet)"
tshark -r "$W/wire.pcap" -P -x > "$W/wire.hex" 2> "$W/tshark.err" ||
	fail "tshark -r: $(cat "$W/tshark.err")"
[ -s "$W/wire.hex" ] || fail "tshark printed nothing"
sed -n '1,/^$/p' "$W/wire.hex"
hits=$(grep -c hello "$W/wire.hex" || true)
echo "tshark -r wire.pcap -x | grep -c hello: $hits"
[ "$hits" = 0 ] || fail "'hello' visible in the capture"
# also the raw capture file, where a hex dump line break cannot hide it
! grep -aq hello "$W/wire.pcap" || fail "'hello' in the raw capture file"
echo "OK: no 'hello' anywhere in the capture"

step "ksrtpctl show, in alice and in bob (never any key material)"
for n in alice bob; do
	ns $n "$CTL" show | tee "$W/$n.show"
	ip netns exec $n "$CTL" -j show > "$W/$n.json"
done
"$PY" - "$W/alice.json" "$W/bob.json" "$N" <<'EOF'
import json, sys
n = int(sys.argv[3])
for f in sys.argv[1:3]:
    socks = json.load(open(f))
    assert len(socks) == 1, "%s: %d sockets" % (f, len(socks))
    st = socks[0]["stats"]
    got = (st["tx_srtp"], st["rx_srtp"], st["tx_no_ctx"], st["rx_no_ctx"])
    assert got == (n, n, 0, 0), "%s: tx_srtp, rx_srtp, tx_no_ctx, rx_no_ctx = %s" % (f, got)
    for c in socks[0]["contexts"]:
        s = c["stats"]
        assert (s["packets"], s["auth_fail"], s["replay_drop"]) == (n, 0, 0), c
print("OK: every side protected %d and accepted %d packets, no failures" % (n, n))
EOF
for k in "$KEY_A" "$KEY_B"; do
	hex=$(printf '%s' "$k" | base64 -d | od -An -v -tx1 | tr -d ' \n')
	! grep -qiF -e "$k" -e "$hex" "$W"/*.show "$W"/*.json || fail "key material in show"
done
echo "OK: neither key appears in show or show -j"

step "hang up: the applications close their sockets, ksrtp lets go"
touch "$W/hangup"
wait_line "$W/monitor.out" "^sock-detach sock $CK_A reason closed\$" 30
kill "$MON"
echo "alice's monitor.out:"
cat "$W/monitor.out"
for n in alice bob; do
	[ -z "$(ip netns exec $n "$CTL" show)" ] || fail "$n still lists a socket"
done
echo "OK: no attached sockets left"

printf '\n\033[1;32mdemo OK\033[0m (%s s)\n' $(($(date +%s) - START))
