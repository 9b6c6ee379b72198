#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What the MIKEY selftests (keyd_mikey.sh, keyd_mikey_pki.sh) share, sourced
# after keyd_lib.sh: the kernel's explicit-SSRC contexts and MKIs as ksrtpctl
# shows them, tshark's dissection of a MIKEY message, a call between apps A
# and B, rekeys from each side under traffic, and a refused offer read back
# by both ends. Uses SA, SB (the apps' SSRCs) and $D, $NS1, $NS2.

# ctxs NS: "dir:ssrc:roc" of every explicit-SSRC context there, sorted
ctxs() {
	ip netns exec "$1" "$BIN/ksrtpctl" -j show | python3 -c '
import json, sys
d = json.load(sys.stdin)
socks = d if isinstance(d, list) else d.get("sockets", [])
out = []
for s in socks:
    for c in s.get("contexts", []):
        if not c.get("ssrc_any"):
            out.append("%s:%s:%s" % (c.get("dir"), c.get("ssrc"), c.get("roc", 0)))
print(" ".join(sorted(out)))'
}

# mkis NS: the MKI (hex) of the active key of every explicit-SSRC context there
mkis() {
	ip netns exec "$1" "$BIN/ksrtpctl" -j show | python3 -c '
import json, sys
d = json.load(sys.stdin)
socks = d if isinstance(d, list) else d.get("sockets", [])
print(" ".join(sorted(k.get("mki", "-") for s in socks for c in s.get("contexts", [])
                      if not c.get("ssrc_any") for k in c.get("keys", []) if k.get("active"))))'
}

# no_ctxs NS: nothing installed there
no_ctxs() {
	c=$(ctxs "$1")
	[ -z "$c" ] && return 0
	echo "# $1 has contexts: $c"
	return 1
}

# b64_of ATTRS: the a=key-mgmt:mikey value of an attribute array
b64_of() {
	echo "$1" | sed -n 's/.*"a=key-mgmt:mikey \([^"]*\)".*/\1/p'
}

# dissect ATTRS...: tshark's fields for the MIKEY message in each ATTRS, a
# line each, ';'-separated:
# type;V;CSB ID;SSRCs;ROCs;next payloads;encr alg;ERR;malformed;expert
# All in one capture and one tshark: it takes seconds to start under TCG.
dissect() {
	b64s=
	for a in "$@"; do
		b64=$(b64_of "$a")
		[ -n "$b64" ] || { echo "# no a=key-mgmt:mikey in $a"; return 1; }
		b64s="$b64s $b64"
	done
	# one hex dump a message, each from offset 0: text2pcap's packets
	# shellcheck disable=SC2086
	python3 -c '
import base64, sys
for m in sys.argv[1:]:
    b = base64.b64decode(m)
    for i in range(0, len(b), 16):
        print("%06x %s" % (i, " ".join("%02x" % x for x in b[i:i + 16])))' $b64s > "$D/raw" &&
	text2pcap -q -4 127.0.0.1,127.0.0.1 -u 9000,9000 "$D/raw" "$D/m.pcap" > /dev/null 2>&1 &&
	DIS=$(tshark -r "$D/m.pcap" -d udp.port==9000,mikey -T fields '-Eseparator=;' \
		-E occurrence=a -E aggregator=, -e mikey.type -e mikey.v.set -e mikey.csb_id \
		-e mikey.srtp_id.ssrc -e mikey.srtp_id.roc -e mikey.next_payload \
		-e mikey.kemac.encr_alg -e mikey.err.no -e _ws.malformed -e _ws.expert 2>/dev/null)
}

# expect_dissect ATTRS WANT WHAT [ATTRS2 WANT2 WHAT2]: dissect the message
# (an offer and its answer: with one tshark), compare each with its WANT,
# record them for the report
expect_dissect() {
	if [ $# = 6 ]; then dissect "$1" "$4"; else dissect "$1"; fi || return 1
	i=0 bad=
	while [ $# -ge 3 ]; do
		i=$((i + 1))
		got=$(echo "$DIS" | sed -n "${i}p")
		echo "# tshark $3: $got"
		[ "$got" = "$2" ] || { echo "# want: $2"; bad=1; }
		shift 3
	done
	[ -z "$bad" ]
}

csb_of() {	# csb_of A|B: the session's CSB ID as tshark prints it
	app "$1" status || return 1
	printf '0x%08x' "$(json_get csb_id)"
}

# mcall OFFERER ANSWERER OPTS_O OPTS_A: a MIKEY call, both secure; the
# offer in $offer, the answer in $answer
mcall() {
	app "$1" flush && app "$2" flush || return 1
	app "$1" create offerer bind method mikey $3 || return 1
	app "$2" create answerer bind method mikey $4 || return 1
	negotiate "$1" "$2" || return 1
	app "$1" wait secure 5000 && app "$2" wait secure 5000
}

start_streams() {
	app A flush && app B flush &&
		app A reset && app B reset && app A stream 50 && app B stream 50
}

# rekeys_under_traffic: a new exchange from A, then from B, no packet lost
rekeys_under_traffic() {
	start_streams || return 1
	sleep 0.5
	app A rekey || return 1
	app B remote "$R" || return 1
	app B local || return 1
	app A remote "$R" || return 1
	app A wait rekeyed 3000 || return 1
	sleep 3
	app B rekey || return 1
	app A remote "$R" || return 1
	app A local || return 1
	app B remote "$R" || return 1
	app B wait rekeyed 3000 || return 1
	sleep 3
	NO_LOSS_MIN=200 no_loss
}

# refused_both ERRNO NAME: B refused the offer in $offer with that ERR; its
# error message goes back to A, which reads the same code; nothing installed
refused_both() {
	case $R in *"MIKEY error $2 ($1)"*) ;; *) echo "# B said: $R"; return 1 ;; esac
	app B local || return 1
	err=$R
	expect_dissect "$err" "6;0;$(printf '0x%08x' "$3");;;$4;;$1;;" "error message ($2)" || return 1
	if app A remote "$err"; then echo "# A accepted the error message"; return 1; fi
	case $R in *"MIKEY error $2 ($1)"*) ;; *) echo "# A said: $R"; return 1 ;; esac
	no_ctxs $NS1 && no_ctxs $NS2 || return 1
	app A delete && app B delete
}

offer_only() {	# offer_only OPTS: A offers to a new B session; offer in $offer
	app A create offerer bind method mikey ssrc $SA peer_ssrc $SB $1 || return 1
	app B create answerer bind method mikey ssrc $SB || return 1
	app A local || return 1
	offer=$R
	csb=$(csb_of A)
}

mode_both() {	# mode_both MODE: both sessions' status says so
	for who in A B; do
		app $who status || return 1
		[ "$(json_get mikey_mode)" = "$1" ] || { echo "# $who: $R" | cut -c1-300; return 1; }
	done
}

hangup() {	# both sessions deleted, nothing left in either kernel
	app A delete && app B delete || return 1
	no_ctxs $NS1 && no_ctxs $NS2
}
