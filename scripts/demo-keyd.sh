#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The key-daemon part of `make demo`, inside the VM with ksrtp.ko loaded: a
# ksrtp-keyd and a small media server (keyd_app, which only knows plain RTP
# and hands its socket to keyd) in each of two network namespaces. The script
# plays the SIP signalling: it carries the SDP security attributes each side
# produces to the other. Four calls: DTLS-SRTP (the handshake runs between
# the keyds over the media sockets), SDES, MIKEY-DHHMAC (RFC 4650: a
# Diffie-Hellman exchange authenticated by a pre-shared key, in
# a=key-mgmt:mikey, dissected by tshark) and ZRTP (RFC 6189: the exchange on
# the media path, both sides' SAS for the users to compare). For each: the
# attributes exchanged, the "secure" events, RTP both ways, what the
# applications read, and a capture of the wire holding only DTLS, ZRTP and
# SRTP. Exits non-zero on failure.
set -eu
BIN=$PWD/build/bin
PY=/usr/bin/python3
N=10				# RTP packets each way per call
PORT=40000
IP_A=10.99.2.1
IP_B=10.99.2.2
W=$(mktemp -d /tmp/ksrtp-demo-keyd.XXXXXX)
PIDS=

. "$(dirname "$0")/demo-lib.sh"
START=$(date +%s)

# app alice|bob COMMAND...: one keyd_app command, its answer (without "ok ")
# in $R; keyd_app answers every command with one line.
app() {
	if [ "$1" = alice ]; then
		shift
		echo "$*" >&7 && read -r R <&5
	else
		shift
		echo "$*" >&8 && read -r R <&6
	fi || fail "media server gone"
	case $R in
	ok*) R=${R#ok } ;;
	*) fail "'$*': $R" ;;
	esac
}
# show WHO TEXT: a line as the operator would read it
show() { printf '%-6s %s\n' "$1" "$2"; }
# attrs JSON-ARRAY: one SDP attribute per line
attrs() { "$PY" -c 'import json,sys; [print("         " + a) for a in json.loads(sys.argv[1])]' "$1"; }
event() {	# event WHO JSON: the event, one field per line
	show "$1" "event:"
	"$PY" -c 'import json,sys; e=json.loads(sys.argv[1]); [print("         %-12s %s" % (k, json.dumps(v))) for k, v in e.items()]' "$2"
}

step "network: namespaces alice ($IP_A) and bob ($IP_B), one veth pair"
netns_pair $IP_A $IP_B

step "a key daemon in each namespace"
# MIKEY: each keyd's identity, and the key it shares with the other, filed
# under the other's identity (mode 0600: keyd refuses a file others can read)
for n in alice bob; do
	if [ $n = alice ]; then peer=bob; else peer=alice; fi
	echo "sip:$peer@example.org 4d494b45592d44484d41432d64656d6f2d6b6579" > "$W/psk-$n"
	chmod 600 "$W/psk-$n"
	cat > "$W/keyd-$n.conf" <<EOF
# SDES keys only travel over signalling the media server says is protected
allow_insecure_signalling = no
log_level = info
# MIKEY: our identity, and the pre-shared keys by peer identity
mikey_identity = sip:$n@example.org
mikey_psk_file = $W/psk-$n
EOF
done
sed 's/^/    /' "$W/keyd-alice.conf"
echo "    (bob's: sip:bob@example.org; each PSK file: <peer identity> <hex key>, mode 0600)"
for n in alice bob; do
	echo "$n# ksrtp-keyd -f -c keyd-$n.conf -s $n.sock -d state-$n"
	ip netns exec $n "$BIN/ksrtp-keyd" -f -c "$W/keyd-$n.conf" -s "$W/$n.sock" \
		-d "$W/state-$n" > "$W/keyd-$n.log" 2>&1 &
	PIDS="$PIDS $!"
done
for n in alice bob; do
	i=0
	until "$BIN/ksrtp-keydctl" -s "$W/$n.sock" -t 2 ping > "$W/ping" 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "keyd in $n does not answer: $(cat "$W/ping")"
		sleep 0.1
	done
done
echo "alice# ksrtp-keydctl ping"
sed 's/^/    /' "$W/ping"

step "a media server in each namespace: plain RTP on $PORT, keys left to keyd"
for n in alice bob; do
	if [ $n = alice ]; then l=$IP_A p=$IP_B; else l=$IP_B p=$IP_A; fi
	mkfifo "$W/$n.in" "$W/$n.out"
	echo "$n# keyd_app -n $n -s $n.sock -l $l:$PORT -p $p:$PORT"
	ip netns exec $n "$BIN/keyd_app" -n $n -s "$W/$n.sock" -l $l:$PORT -p $p:$PORT \
		< "$W/$n.in" > "$W/$n.out" 2> "$W/app-$n.err" &
	PIDS="$PIDS $!"
done
exec 7> "$W/alice.in" 5< "$W/alice.out" 8> "$W/bob.in" 6< "$W/bob.out"

cat > "$W/wire.py" <<'EOF'
# wire.py PCAP N TAG: every UDP datagram of the capture is DTLS (RFC 7983:
# first byte 20-63), ZRTP (16-19 and the "ZRTP" cookie) or SRTP/SRTCP
# (128-191); N SRTP packets each way, each
# 172 bytes of RTP plus a TAG-byte tag; the applications' payload marker
# "KDAP" appears nowhere in the capture.
import sys
from demo_pcap import udp_payloads
path, n, tag = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
kinds, srtp, bad = {}, {}, []
for src, _, p in udp_payloads(path):
    if 20 <= p[0] <= 63:
        kinds["DTLS"] = kinds.get("DTLS", 0) + 1
    elif 16 <= p[0] <= 19 and p[4:8] == b"ZRTP":
        kinds["ZRTP"] = kinds.get("ZRTP", 0) + 1
    elif 128 <= p[0] <= 191 and 192 <= p[1] <= 223:
        kinds["SRTCP"] = kinds.get("SRTCP", 0) + 1
    elif 128 <= p[0] <= 191:
        kinds["SRTP"] = kinds.get("SRTP", 0) + 1
        srtp[src] = srtp.get(src, 0) + 1
        if len(p) != 172 + tag:
            bad.append("SRTP packet of %d bytes from %s, expected %d" % (len(p), src, 172 + tag))
    else:
        bad.append("a datagram from %s that is neither DTLS, ZRTP nor SRTP (first byte %d)" % (src, p[0]))
if b"KDAP" in data:
    bad.append("the applications' plaintext marker KDAP is in the capture")
if sorted(srtp.values()) != [n, n]:
    bad.append("SRTP packets per sender: %s, expected %d each way" % (srtp, n))
print("captured: " + ", ".join("%d %s" % (v, k) for k, v in sorted(kinds.items())))
if bad:
    sys.exit("\n".join(bad))
print("OK: only keying (DTLS, ZRTP) and SRTP/SRTCP on the wire, %d SRTP packets each way of %d bytes"
      " (172 + %d-byte tag), no plaintext" % (n, 172 + tag, tag))
EOF

# mikey_dissect ATTRS WHAT LINES: the a=key-mgmt:mikey message tshark's way
mikey_dissect() {
	"$PY" - "$1" > "$W/kmgmt.hex" <<'EOF' || fail "no MIKEY message in $2"
import base64, json, sys
for a in json.loads(sys.argv[1]):
    if a.startswith("a=key-mgmt:mikey "):
        b = base64.b64decode(a.split(" ", 1)[1])
        for i in range(0, len(b), 16):
            print("%06x %s" % (i, " ".join("%02x" % x for x in b[i:i + 16])))
        break
else:
    sys.exit(1)
EOF
	text2pcap -q -4 $IP_A,$IP_B -u 9000,9000 "$W/kmgmt.hex" "$W/kmgmt.pcap" > /dev/null 2>&1 ||
		fail "text2pcap"
	echo "# tshark -d udp.port==9000,mikey -O mikey: $2"
	tshark -r "$W/kmgmt.pcap" -d udp.port==9000,mikey -O mikey > "$W/kmgmt.txt" 2>&1 ||
		fail "tshark: $(cat "$W/kmgmt.txt")"
	! grep -q 'Expert Info\|Malformed' "$W/kmgmt.txt" ||
		fail "tshark flags $2: $(cat "$W/kmgmt.txt")"
	# the SP parameters' raw type/length/value lines left out
	sed -n '/Multimedia Internet KEYing/,$p' "$W/kmgmt.txt" |
		grep -v -E '^ {12}(Type|Length|Value): ' | cut -c1-110 | head -n "$3"
}

# call METHOD SUITE TAG [ALICE_OPTS BOB_OPTS]: one call, alice offers. Shows
# the attributes, the events, the media and the wire; deletes both sessions
# at the end.
call() {
	method=$1 suite=$2 tag=$3 opts_a=${4:-} opts_b=${5:-}
	echo "bob# dumpcap -i veth-bob -f 'udp port $PORT' -w $method.pcap"
	ip netns exec bob dumpcap -i veth-bob -f "udp port $PORT" -a duration:300 -P \
		-w "$W/$method.pcap" > "$W/dumpcap.log" 2>&1 &
	cap=$!
	wait_line "$W/dumpcap.log" '^File: ' 60

	echo
	app alice create offerer bind method "$method" suites "$suite" $opts_a
	sid_a=$R
	show alice "create offerer, method $method $opts_a -> session $sid_a"
	app bob create answerer bind method "$method" suites "$suite" $opts_b
	sid_b=$R
	show bob "create answerer, method $method $opts_b -> session $sid_b"
	app alice local
	offer=$R
	show alice "SDP offer attributes (to bob over the signalling):"
	attrs "$offer"
	app bob remote "$offer"
	show bob "applied the offer: $R"
	app bob local
	answer=$R
	show bob "SDP answer attributes (to alice):"
	attrs "$answer"
	app alice remote "$answer"
	show alice "applied the answer: $R"
	if [ "$method" = mikey ]; then
		echo
		mikey_dissect "$offer" "alice's offer (I_MESSAGE)" 80
		mikey_dissect "$answer" "bob's answer (R_MESSAGE)" 60
	fi

	echo
	app alice wait secure 30000
	event alice "$R"
	sas_a=$(echo "$R" | sed -n 's/.*"sas":"\([^"]*\)".*/\1/p')
	app bob wait secure 30000
	event bob "$R"
	sas_b=$(echo "$R" | sed -n 's/.*"sas":"\([^"]*\)".*/\1/p')
	if [ "$method" = zrtp ]; then
		echo
		show alice "reads out the SAS: \"$sas_a\""
		show bob "reads out the SAS: \"$sas_b\""
		[ -n "$sas_a" ] && [ "$sas_a" = "$sas_b" ] || fail "the SAS differ"
		echo "OK: both users see the same SAS: no one in the middle"
	fi

	echo
	show alice "sends $N RTP packets (plain, through its own socket); so does bob"
	app alice reset
	app bob reset
	app alice send $N
	app bob send $N
	app alice expect $N 10000
	show alice "read: $R"
	app bob expect $N 10000
	show bob "read: $R"
	case "$R" in *" bad=0 "*) ;; *) fail "bob read damaged packets" ;; esac
	app alice peek
	show alice "last packet read: $R"
	app bob peek
	show bob "last packet read: $R"

	sleep 0.5
	kill -INT $cap
	wait $cap || true
	echo
	echo "# tshark -r $method.pcap (RTP heuristics on), first lines"
	tshark -r "$W/$method.pcap" -o rtp.heuristic_rtp:TRUE > "$W/tshark.out" 2> "$W/tshark.err" ||
		fail "tshark: $(cat "$W/tshark.err")"
	head -n 12 "$W/tshark.out" | cut -c1-150
	echo "    ... ($(wc -l < "$W/tshark.out") frames)"
	PYTHONPATH=$PWD/scripts "$PY" "$W/wire.py" "$W/$method.pcap" $N "$tag" ||
		fail "the capture"

	echo
	echo "alice# ksrtp-keydctl status $sid_a"
	"$BIN/ksrtp-keydctl" -s "$W/alice.sock" status "$sid_a" > "$W/status.json" ||
		fail "status"
	"$PY" - "$W/status.json" "$N" <<'EOF' || fail "status"
import json, sys
st, n = json.load(open(sys.argv[1])), int(sys.argv[2])
dtls = st.get("dtls", {})
j = json.dumps
print("    state %s, suite %s, verified %s, pfs %s, rtcp-mux %s, remote %s" % (
    st["state"], st["suite"], j(st["verified"]), j(st["pfs"]), j(st["rtcp_mux"]), st["remote"]))
if dtls:
    print("    dtls: role %s, handshake %s, peer certificate %s" % (
        dtls.get("role"), dtls.get("handshake"), dtls.get("verify")))
for s in st["sockets"]:
    k = s["stats"]
    print("    socket %s: tx_srtp %d tx_srtcp %d rx_srtp %d rx_srtcp %d rx_dtls %d "
          "rx_no_ctx %d rx_malformed %d" % (s["cookie"], k["tx_srtp"], k["tx_srtcp"],
          k["rx_srtp"], k["rx_srtcp"], k["rx_dtls"], k["rx_no_ctx"], k["rx_malformed"]))
    for c in s["contexts"]:
        cs = c["stats"]
        who = "ssrc %#010x" % c["ssrc"] if "ssrc" in c else "any ssrc"
        print("      %s %s %s (%s): packets %d auth_fail %d replay_drop %d" % (
            c["dir"], who, c["suite"], c.get("origin", "installed"), cs["packets"],
            cs["auth_fail"], cs["replay_drop"]))
        assert cs["auth_fail"] == 0 and cs["replay_drop"] == 0, c
    assert k["tx_srtp"] >= n and k["rx_srtp"] >= n, k
assert st["state"] == "secure" and st["verified"], st
print("OK: secure, every packet protected and authenticated, no failures")
EOF
	app alice delete
	app bob delete
	show alice "deleted the session: keys removed, socket detached"
}

step "call 1: DTLS-SRTP (a=fingerprint, a=setup; the handshake runs on the media port)"
call dtls AEAD_AES_128_GCM 16

step "call 2: SDES (a=crypto; the media server states its signalling is protected)"
call sdes AES_CM_128_HMAC_SHA1_80 10

step "call 3: MIKEY-DHHMAC (a=key-mgmt:mikey; DH authenticated by the pre-shared key)"
call mikey AES_CM_128_HMAC_SHA1_80 10 \
	"ssrc 4369 peer_ssrc 8738 mode dhhmac peer_id sip:bob@example.org" "ssrc 8738"

step "call 4: ZRTP (RFC 6189; keys agreed on the media path, a=zrtp-hash in the SDP)"
call zrtp AES_CM_128_HMAC_SHA1_80 10

step "hang up: the media servers quit, the key daemons stop"
app alice quit
app bob quit
for p in $PIDS; do kill "$p" 2>/dev/null || true; done
wait 2>/dev/null || true
PIDS=
tail -n 3 "$W/keyd-alice.log" | sed 's/^/alice keyd: /'
for n in alice bob; do
	[ -z "$(ip netns exec $n "$BIN/ksrtpctl" show)" ] || fail "$n still has attached sockets"
done
echo "OK: no attached sockets left"

printf '\n\033[1;32mkeyd demo OK\033[0m (%s s)\n' $(($(date +%s) - START))
