#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ksrtp-keyd with MIKEY (the "mikey" method: MIKEY-PSK, MIKEY-DHHMAC and
# MIKEY-NULL in a=key-mgmt:mikey) end to end: two keyds in two network namespaces, one
# keyd_app on each side, this script copying the attributes. Checked: ping
# lists mikey; PSK calls offered from either side with media both ways
# through explicit-SSRC contexts whose initial ROC came from the CS ID map
# (5 at start), B's offer stating a KDR of 2^16 (mikey_kdr) that both
# kernels' contexts then re-derive at; rekey by a new exchange under
# traffic with zero loss, from
# either side; a DHHMAC call (RFC 4650, OAKLEY 5) whose answerer follows
# the offer's mode, rekeyed from each side under traffic with zero loss, and
# refused without the peer's identity (RFC 4650 names both ends); the
# MIKEY-NULL offer GStreamer's gstmikey builds for RTSP taken by a running
# keyd (and its replay refused);
# a MIKEY-NULL call where the configuration allows it and its
# refusal where it does not; wrong PSK, tampered MAC and replayed I_MESSAGE
# refused with the right ERR payload, read back by the initiator, and no
# context installed on either side; the replay cache kept across a keyd
# restart, and offers held off when it cannot be read back; the PSK file's mode and owner checks;
# tshark dissecting every message keyd sent (I_MESSAGE, R_MESSAGE, error,
# in each mode) with no malformed or expert items and the fields keyd meant.
#
# Runs as root with ksrtp.ko loaded (selftests/run.sh in the VM); cwd is the
# project tree, binaries in build/bin.
. "$(dirname "$0")/lib.sh"

KEYD_TEST=keyd_mikey
. "$(dirname "$0")/keyd_lib.sh"
. "$(dirname "$0")/keyd_mikey_lib.sh"

SA=4369		# 0x1111: app A's SSRC
SB=8738		# 0x2222: app B's SSRC
MAP="0x00001111,0x00002222"	# the CS ID map's SSRCs as tshark prints them
PSK1=00112233445566778899aabbccddeeff
PSK2=ffeeddccbbaa99887766554433221100
ktap_plan 16

psk_file() {	# psk_file KEY: the one key both keyds use (identity ksrtp-test)
	printf '# test keys\nksrtp-test %s\n' "$1" > "$D/psk"
	chmod 0600 "$D/psk"
}

# ------------------------------------------------------------ setup

psk_file $PSK1
CONF="allow_insecure_signalling = yes
mikey_psk_file = $D/psk
mikey_identity = ksrtp-test
rx_key_grace_ms = 1000
answer_rekey_delay_ms = 2000
log_level = info"
# B's offers state a key derivation rate of 2^16 (RFC 3711 4.3.1) and wrap
# the TGK with AES-KW-128
printf '%s\nmikey_kdr = 65536\nmikey_kemac = aes-kw\n' "$CONF" > "$D/keyd-B.conf"
step "setup: namespaces, two keyds (PSK file, MIKEY-NULL allowed), two apps" keyd_setup "A B" \
	"$CONF"
setup_or_skip 16

ping_lists() {
	out=$("$BIN/ksrtp-keydctl" -s "$D/keyd-A.sock" ping) || return 1
	echo "# $out" | cut -c1-200
	echo "$out" | grep -q '"mikey"'
}
step "ping lists mikey" ping_lists

# ------------------------------------------------------------ PSK calls

psk_a_offers() {
	# a 2-byte MKI (create's mki_len): the TGK's SPI, every key's MKI on both sides
	mcall A B "ssrc $SA peer_ssrc $SB roc 5 mki 2" "ssrc $SB" || return 1
	for ns in $NS1 $NS2; do
		c=$(mkis $ns)
		[ "$c" = "0001 0001" ] || { echo "# MKIs in $ns: $c"; return 1; }
	done
	app A status || return 1
	# the first offer_suites entry a MIKEY policy can name (not GCM)
	[ "$(json_get suite)" = AES_256_CM_HMAC_SHA1_80 ] || { echo "# A: $R" | cut -c1-300; return 1; }
	c=$(ctxs $NS1)
	[ "$c" = "rx:$SB:0 tx:$SA:5" ] || { echo "# A's contexts: $c"; return 1; }
	c=$(ctxs $NS2)
	[ "$c" = "rx:$SA:5 tx:$SB:0" ] || { echo "# B's contexts: $c"; return 1; }
	exchange 20 || return 1
	# ROC 5 from the map: the kernel's contexts still say 5 after traffic
	c=$(ctxs $NS2)
	[ "$c" = "rx:$SA:5 tx:$SB:0" ] || { echo "# B's contexts after media: $c"; return 1; }
	csb=$(csb_of A) || return 1
	expect_dissect "$offer" "0;1;$csb;$MAP;0x00000005,0x00000000;5,11,6,10,1,0;1;;;" "PSK I_MESSAGE" \
		"$answer" "1;0;$csb;$MAP;0x00000005,0x00000000;5,6,9,0;;;;" "PSK R_MESSAGE"
}
step "PSK, A offers: ROC 5 from the map, a 2-byte MKI, RTP/RTCP both ways, tshark on both messages" \
	psk_a_offers

rekey_both() {
	rekeys_under_traffic || return 1
	# each exchange's MKI one above the last: the kernel told the keys apart by it
	for ns in $NS1 $NS2; do
		c=$(mkis $ns)
		[ "$c" = "0003 0003" ] || { echo "# MKIs in $ns after the rekeys: $c"; return 1; }
	done
	app A status || return 1
	echo "# A: exchanges=$(json_get exchanges) csb_id=$(json_get csb_id)"
	[ "$(json_get exchanges)" = 3 ] || return 1
	hangup
}
step "rekey by a new exchange from A, then from B, under traffic, MKI 1 to 3, zero loss" rekey_both

# the KDRs of a namespace's explicit contexts
kdrs() {
	ip netns exec "$1" "$BIN/ksrtpctl" -j show | python3 -c '
import json, sys
d = json.load(sys.stdin)
socks = d if isinstance(d, list) else d.get("sockets", [])
print(" ".join(sorted(str(c.get("kdr", 0)) for s in socks
                      for c in s.get("contexts", []) if not c.get("ssrc_any"))))'
}

psk_b_offers() {
	mcall B A "ssrc $SB peer_ssrc $SA roc 7" "ssrc $SA" || return 1
	exchange 20 || return 1
	# B's KEMAC: AES-KW-128 (2), tshark clean
	dissect "$offer" || return 1
	echo "# tshark B's I_MESSAGE: $DIS"
	[ "$(echo "$DIS" | cut -d';' -f7-10)" = "2;;;" ] || return 1
	c=$(ctxs $NS1)
	[ "$c" = "rx:$SB:7 tx:$SA:0" ] || { echo "# A's contexts: $c"; return 1; }
	# B's SP said KDR 2^16: both ends' kernels re-derive at it
	for ns in $NS1 $NS2; do
		c=$(kdrs $ns)
		[ "$c" = "65536 65536" ] || { echo "# KDRs in $ns: $c"; return 1; }
	done
	app A delete && app B delete
}
step "PSK, B offers (ROC 7, KDR 2^16, AES-KW KEMAC), media both ways" psk_b_offers

dhhmac_call() {
	mcall A B "ssrc $SA peer_ssrc $SB roc 3 mode dhhmac" "ssrc $SB" && return 1
	echo "$R" | grep -q mikey_peer_identity || { echo "# no peer: $R" | cut -c1-300; return 1; }
	mcall A B "ssrc $SA peer_ssrc $SB roc 3 mode dhhmac peer_id ksrtp-test" "ssrc $SB" ||
		return 1
	exchange 20 || return 1
	mode_both dhhmac || return 1
	c=$(ctxs $NS2)
	[ "$c" = "rx:$SA:3 tx:$SB:0" ] || { echo "# B's contexts: $c"; return 1; }
	csb=$(csb_of A) || return 1
	# I: T RAND IDi IDr SP DHi KEMAC; R: T IDr IDi DHr DHi KEMAC; KEMACs carry only a MAC
	expect_dissect "$offer" "7;1;$csb;$MAP;0x00000003,0x00000000;5,11,6,6,10,3,1,0;0;;;" \
		"DHHMAC I_MESSAGE" \
		"$answer" "8;0;$csb;$MAP;0x00000003,0x00000000;5,6,6,3,3,1,0;0;;;" \
		"DHHMAC R_MESSAGE" || return 1
	rekeys_under_traffic || return 1
	app B status || return 1
	[ "$(json_get exchanges)" = 3 ] || { echo "# B: $R" | cut -c1-300; return 1; }
	hangup
}
step "DHHMAC, A offers (ROC 3): tshark on both messages, rekeys from each side, zero loss" \
	dhhmac_call

null_call() {
	mcall A B "ssrc $SA peer_ssrc $SB mode null" "ssrc $SB mode null" || return 1
	exchange 20 || return 1
	app A status || return 1
	[ "$(json_get mikey_mode)" = null ] || return 1
	csb=$(csb_of A) || return 1
	expect_dissect "$offer" "0;1;$csb;$MAP;0x00000000,0x00000000;5,11,6,10,1,0;0;;;" "NULL I_MESSAGE" \
		"$answer" "1;0;$csb;$MAP;0x00000000,0x00000000;5,6,9,0;;;;" "NULL R_MESSAGE" || return 1
	app A delete && app B delete
}
step "MIKEY-NULL where allow_insecure_signalling allows it, tshark on both messages" null_call

# gst_rtsp_offer SSRC ROC: the a=key-mgmt:mikey line GStreamer's gstmikey
# builds for RTSP (gst-rtsp-server's way: MIKEY-NULL from the stream's SRTP
# caps, then its SSRC and ROC), from Debian's python3-gi
gst_rtsp_offer() {
	/usr/bin/python3 - "$1" "$2" <<'EOF'
import sys, gi
gi.require_version("Gst", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import Gst, GstSdp
Gst.init(None)
key = bytes(range(30)).hex()
caps = Gst.Caps.from_string("application/x-srtp,srtp-key=(buffer)%s,srtp-cipher=aes-128-icm,"
                            "srtp-auth=hmac-sha1-80,srtcp-cipher=aes-128-icm,"
                            "srtcp-auth=hmac-sha1-80" % key)
m = GstSdp.MIKEYMessage.new_from_caps(caps)
m.add_cs_srtp(0, int(sys.argv[1]), int(sys.argv[2]))
print("a=key-mgmt:mikey " + m.base64_encode())
EOF
}

gstreamer_offer() {
	off=$(gst_rtsp_offer $SA 5) || return 1
	echo "# GStreamer: $off" | cut -c1-200
	app B create answerer bind method mikey mode null || return 1
	app B remote "[\"$off\"]" || return 1
	c=$(ctxs $NS2)
	[ "$c" = "rx:$SA:5" ] || { echo "# B's contexts: $c"; return 1; }
	# GStreamer asks for no verification message: the answer carries none
	app B local || return 1
	case $R in *key-mgmt*) echo "# B answered: $R"; return 1 ;; esac
	app B delete || return 1
	app B create answerer bind method mikey mode null || return 1
	app B remote "[\"$off\"]" && { echo "# B accepted GStreamer's offer twice"; return 1; }
	case $R in *"Invalid TS (1)"*) ;; *) echo "# B: $R"; return 1 ;; esac
	no_ctxs $NS2 && app B delete
}
if /usr/bin/python3 -c 'import gi; gi.require_version("GstSdp", "1.0")' 2>/dev/null; then
	step "GStreamer's RTSP MIKEY-NULL offer taken by keyd (RX context, ROC 5); its replay refused" \
		gstreamer_offer
else
	ktap_skip "gstreamer_offer" "no GStreamer python bindings (apt-get install python3-gi)"
fi

# ------------------------------------------------------------ refusals

wrong_psk() {
	offer_only || return 1
	psk_file $PSK2
	app B remote "$offer" && { psk_file $PSK1; echo "# B accepted"; return 1; }
	psk_file $PSK1
	# before the MAC verified: no V in the error, so A reads it as unauthenticated
	refused_both 0 "Auth failure" "$((csb))" "5,12,0" || return 1
}
newest_step "wrong PSK: ERR Auth failure both ways, no contexts" wrong_psk

tampered() {
	offer_only || return 1
	b=$(b64_of "$offer")
	t=$(python3 -c '
import base64, sys
b = bytearray(base64.b64decode(sys.argv[1])); b[-1] ^= 1
print(base64.b64encode(bytes(b)).decode())' "$b")
	app B remote "[\"a=key-mgmt:mikey $t\"]" && { echo "# B accepted"; return 1; }
	refused_both 0 "Auth failure" "$((csb))" "5,12,0"
}
newest_step "tampered MAC: ERR Auth failure, no contexts" tampered

replay() {
	offer_only || return 1
	app B remote "$offer" || return 1
	app B delete || return 1
	app B create answerer bind method mikey ssrc $SB || return 1
	app B remote "$offer" && { echo "# B accepted a replay"; return 1; }
	no_ctxs $NS2 || return 1
	# the MAC verified: the error message carries a V payload
	refused_both 1 "Invalid TS" "$((csb))" "5,12,9,0"
}
newest_step "replayed I_MESSAGE: ERR Invalid TS (authenticated), no contexts" replay

# restart_b: keyd B stopped and started again; app B reconnected
restart_b() {
	kill "$KEYD_B" && wait "$KEYD_B" 2>/dev/null
	keyd_start B && app B reconnect
}

replay_after_restart() {
	offer_only || return 1
	app B remote "$offer" || return 1
	app B delete || return 1
	restart_b || return 1
	grep -q '"entries"' "$D/state-B/mikey-replay.json" || return 1
	app B create answerer bind method mikey ssrc $SB || return 1
	app B remote "$offer" && { echo "# B accepted a replay after its restart"; return 1; }
	no_ctxs $NS2 || return 1
	refused_both 1 "Invalid TS" "$((csb))" "5,12,9,0" || return 1
	# a cache that cannot be read back: offers held off for the window
	echo '{ torn' > "$D/state-B/mikey-replay.json"
	restart_b || return 1
	offer_only || return 1
	app B remote "$offer" && { echo "# B accepted an offer without its cache"; return 1; }
	case $R in *"replay cache could not be read back"*) ;; *) echo "# B: $R"; return 1 ;; esac
	grep -q "replay cache is lost" "$D/keyd-B.log" || return 1
	no_ctxs $NS2 || return 1
	app A delete && app B delete
}
newest_step "replay cache kept across a keyd restart; an unreadable one holds offers off" \
	replay_after_restart

# keyd C: allow_insecure_signalling = no, the same PSK file, in $NS2
strict_keyd() {
	printf 'allow_insecure_signalling = no\nmikey_psk_file = %s\nmikey_identity = ksrtp-test\n' \
		"$D/psk" > "$D/strict.conf"
	ip netns exec $NS2 "$BIN/ksrtp-keyd" -f -c "$D/strict.conf" -s "$D/keyd-C.sock" \
		-d "$D/state-C" >> "$D/keyd-C.log" 2>&1 &
	KEYD_C=$!
	i=0
	until "$BIN/ksrtp-keydctl" -s "$D/keyd-C.sock" -t 2 ping > /dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.1
	done
	app_start C
}

null_refused() {
	strict_keyd || return 1
	if app C create offerer method mikey ssrc 1 mode null; then
		echo "# keyd C created a MIKEY-NULL session"; return 1
	fi
	case $R in *allow_insecure_signalling*) ;; *) echo "# C said: $R"; return 1 ;; esac
	# a PSK responder refuses a MIKEY-NULL offer
	app A create offerer method mikey ssrc $SA mode null || return 1
	app A local || return 1
	offer=$R
	app C create answerer method mikey || return 1
	app C remote "$offer" && { echo "# C accepted MIKEY-NULL"; return 1; }
	case $R in *"MIKEY error Invalid MAC (3)"*) ;; *) echo "# C said: $R"; return 1 ;; esac
	app C delete && app A delete
}
step "MIKEY-NULL refused where the configuration does not allow it" null_refused

psk_file_checks() {
	chmod 0640 "$D/psk"
	app A create offerer method mikey ssrc $SA || return 1
	app A local && { echo "# keyd used a 0640 PSK file"; return 1; }
	case $R in *"mode 0640"*) ;; *) echo "# A said: $R"; return 1 ;; esac
	chmod 0600 "$D/psk"
	chown 1 "$D/psk"
	app A local && { chown 0 "$D/psk"; echo "# keyd used a PSK file owned by uid 1"; return 1; }
	chown 0 "$D/psk"
	case $R in *"owned by uid 1"*) ;; *) echo "# A said: $R"; return 1 ;; esac
	app A local || return 1
	app A delete
}
step "PSK file: mode 0640 and another owner refused, 0600 root used" psk_file_checks

bad_requests() {
	ctl="$BIN/ksrtp-keydctl -s $D/keyd-A.sock"
	out=$($ctl request '{"op":"create","role":"offerer","ssrcs":[1]}' --fd 0 2>&1)
	echo "$out" | grep -q 'ssrcs/remote_ssrcs/roc does not apply to the sdes method' ||
		{ echo "# $out"; return 1; }
	out=$($ctl request '{"op":"create","role":"offerer","method":"mikey","ssrcs":[1,1]}' --fd 0 2>&1)
	echo "$out" | grep -q 'listed twice' || { echo "# $out"; return 1; }
	app A create offerer method mikey || return 1
	app A local && { echo "# an offer without SSRCs"; return 1; }
	case $R in *'"ssrcs"'*) ;; *) echo "# A said: $R"; return 1 ;; esac
	app A delete
}
step "requests: MIKEY fields refused for sdes, duplicate SSRCs, no SSRCs" bad_requests

metrics_method() {
	app A create offerer bind method mikey ssrc $SA peer_ssrc $SB || return 1
	out=$("$BIN/ksrtp-keydctl" -s "$D/keyd-A.sock" list) || return 1
	echo "$out" | grep -q '"method":"mikey"' || { echo "# $out" | cut -c1-300; return 1; }
	app A delete
}
step "list shows the mikey session" metrics_method

ktap_finish
