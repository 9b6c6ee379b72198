#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ksrtp-keyd's ZRTP method (RFC 6189) against Belledonne's bzrtp, the ZRTP
# of linphone (keyd_zrtp_peer, in a second network namespace). keyd keys
# the kernel; the keys are write-only there, so the test proves them by
# traffic: once bzrtp is SECURE it prints its own SRTP keys and exits,
# keyd_srtp_peer (libsrtp2) binds the same address with them and must
# decrypt keyd_app's RTP/RTCP to the bytes sent, while keyd_app receives
# exactly what libsrtp2 protected. Both sides must show the same SAS, and
# tshark must dissect every ZRTP packet on the wire with a good CRC.
#
# Runs as root with ksrtp.ko loaded (selftests/run.sh in the VM); cwd is the
# project tree, binaries in build/bin.
. "$(dirname "$0")/lib.sh"

KEYD_TEST=keyd_zrtp
. "$(dirname "$0")/keyd_lib.sh"
# keyd under the sanitizers: any report fails the last step
KEYD_BIN=$BIN/ksrtp-keyd-asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=66
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=67

# keyd's suites, bzrtp's algorithms (ka cipher auth hash), bzrtp's flag
# (-i: bzrtp commits, -w: keyd does, -: both may), keyd's role then
# keyd prefers S256 when it commits: the S384 call is bzrtp's Commit. keyd
# commits to its first key agreement the peer has, DH3k being implied in
# every Hello (RFC 6189 §5.2): a bzrtp offering DH2k alone gets a DH3k
# Commit, on which bzrtp 5.1.64 reads past its DH2k buffer
# (Documentation/keyd-zrtp.md), so keyd's DH2k call is bzrtp's Commit.
CASES="AES_CM_128_HMAC_SHA1_80:X255:AES1:HS80:S256:-i:responder
AES_256_CM_HMAC_SHA1_32:DH3k:AES3:HS32:S384:-i:responder
AES_CM_128_HMAC_SHA1_32:DH2k:AES1:HS32:S256:-i:responder
AES_256_CM_HMAC_SHA1_80:X255:AES3:HS80:S256:-w:initiator
AES_CM_128_HMAC_SHA1_32:DH3k:AES1:HS32:S256:-w:initiator
AES_CM_128_HMAC_SHA1_80:X255:AES1:HS80:S256:-:any"
ktap_plan 17
PEER_PID=''

setup() {
	[ -x "$BIN/keyd_zrtp_peer" ] || { echo "# no keyd_zrtp_peer (libbzrtp-dev)"; return 1; }
	# Prsh offered too: bzrtp has no Preshared mode, so the calls stay DH
	keyd_setup A "log_level = info
zrtp_key_agreements = X255 E255 DH3k EC25 DH2k Prsh" || return 1
	"$BIN/ksrtp-keydctl" -s "$D/keyd-A.sock" ping > "$D/ping.json" || return 1
	grep -q '"zrtp"' "$D/ping.json" || { echo "# ping: $(cat "$D/ping.json")"; return 1; }
}

step "setup: namespaces, keyd, app; ping lists zrtp" setup
setup_or_skip 17

# peer_start ARGS...: keyd_zrtp_peer on $IP2:$PORT towards app A; its
# a=zrtp-hash in $ZH once it is up.
peer_start() {
	rm -f "$D/zh"
	ip netns exec $NS2 "$BIN/keyd_zrtp_peer" -l $IP2:$PORT -p $IP1:$PORT -H "$D/zh" "$@" \
		> "$D/peer.txt" 2> "$D/peer.err" &
	PEER_PID=$!
	PEER_PIDS="$PEER_PIDS $PEER_PID"
	i=0
	until [ -s "$D/zh" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "# bzrtp peer did not start: $(cat "$D/peer.err")"; return 1; }
		sleep 0.1
	done
	ZH=$(cat "$D/zh")
}

# peer_wait: bzrtp's result line in $PR (it exits once SECURE)
peer_wait() {
	wait "$PEER_PID"
	rc=$?
	PEER_PID=''
	PR=$(cat "$D/peer.txt")
	[ $rc = 0 ] || { echo "# bzrtp: rc=$rc $PR"; tail -n 5 "$D/peer.err" | sed 's/^/#   /'; return 1; }
	echo "# bzrtp: ${PR%% keys=*}"
}

# zcall CASE: one call, keyd offering; both SAS equal, keyd's suite and
# role as expected, then media both ways with bzrtp's own keys. The first
# call also has an auxsecret (§4.3) on both sides: both must report it
# matched (mixed into s0 on both sides, else the keys would differ).
AUX=6b7372747020617578207365637265742031	# the same on both sides
zcall() {
	IFS=: read -r suite ka cipher auth hash flag role <<EOF
$1
EOF
	[ "$flag" = - ] && flag=''
	app A flush || return 1
	aux='' paux=''
	[ -n "$AUX" ] && aux="aux $AUX" paux="-A $AUX"
	app A create offerer bind method zrtp suites "$suite" $aux || return 1
	app A local || return 1
	case $R in *'"a=zrtp-hash:1.10 '*) ;; *) echo "# offer: $R"; return 1 ;; esac
	kh=$(echo "$R" | sed 's/.*a=zrtp-hash:\([^"]*\)".*/\1/')
	# bzrtp checks keyd's Hello against keyd's a=zrtp-hash (-P)
	peer_start -k "$ka" -c "$cipher" -a "$auth" -s "$hash" -P "$kh" $flag $paux || return 1
	app A remote "[\"$ZH\"]" || return 1
	app A wait secure 30000 || { peer_wait; return 1; }
	ev=$R
	peer_wait || return 1
	R=$ev
	echo "# keyd: $ev" | cut -c1-400
	field sas "$PR"
	[ "$(json_get sas)" = "$F" ] || { echo "# SAS differ: keyd $(json_get sas), bzrtp $F"; return 1; }
	[ "$(json_get suite)" = "$suite" ] && [ "$(json_get key_agreement)" = "$ka" ] ||
		{ echo "# keyd negotiated $(json_get suite) $(json_get key_agreement)"; return 1; }
	if [ -n "$AUX" ]; then
		field aux "$PR"
		[ "$(json_get aux_secret)" = match ] && [ "$F" = match ] ||
			{ echo "# auxsecret: keyd $(json_get aux_secret), bzrtp $F"; return 1; }
		AUX=''
	fi
	[ "$role" = any ] || [ "$(json_get role)" = "$role" ] ||
		{ echo "# keyd was the $(json_get role), wanted $role"; return 1; }
	field cipher "$PR"
	[ "$F" = "$cipher" ] || { echo "# bzrtp's cipher $F"; return 1; }
	field hash "$PR"
	[ "$F" = "$hash" ] || { echo "# bzrtp's hash $F"; return 1; }
	field keys "$PR"
	srtp_peer_traffic "$suite" keys "$F" || return 1
	app A status || return 1
	[ "$(json_get exchange)" = secure ] && [ "$(json_get hash)" = "$hash" ] &&
		[ "$(json_get cipher)" = "$cipher" ] && [ "$(json_get auth_tag)" = "$auth" ] ||
		{ echo "# status $R" | cut -c1-600; return 1; }
	app A delete
}

# the first call is captured on bzrtp's side: tshark dissects it below
ip netns exec $NS2 dumpcap -q -i kd-veth2 -f "udp port $PORT" -w "$D/wire.pcap" \
	> "$D/dumpcap.log" 2>&1 &
DUMPCAP=$!
PEER_PIDS="$PEER_PIDS $DUMPCAP"
i=0
until grep -q "Capturing on" "$D/dumpcap.log" || [ $i -gt 100 ]; do	# slow under TCG
	i=$((i + 1))
	sleep 0.1
done
sleep 0.5
for c in $CASES; do
	step "bzrtp $(echo "$c" | cut -d: -f2-5), keyd $(echo "$c" | cut -d: -f7): same SAS, media both ways" zcall "$c"
	if [ -n "$DUMPCAP" ]; then
		kill -INT $DUMPCAP 2>/dev/null
		wait $DUMPCAP 2>/dev/null
		DUMPCAP=''
	fi
done

# tshark's ZRTP dissector on the first call: every message of the exchange,
# every CRC good, nothing malformed.
dissect() {
	# one pass (tshark is slow to start under TCG): every frame's ZRTP type,
	# its CRC status and whether anything in it was malformed
	tshark -r "$D/wire.pcap" -d udp.port==$PORT,rtp -o rtp.heuristic_rtp:TRUE \
		-T fields -e zrtp.type -e zrtp.checksum.status -e _ws.malformed \
		> "$D/frames.txt" 2> "$D/tshark.err" || { cat "$D/tshark.err"; return 1; }
	grep -v '^[[:space:]]' "$D/frames.txt" > "$D/zrtp.txt"
	echo "# $(wc -l < "$D/frames.txt") frames, $(wc -l < "$D/zrtp.txt") ZRTP:" \
		"$(cut -f1 "$D/zrtp.txt" | sort | uniq -c | tr -s ' \n' ' ')"
	for t in Hello HelloACK Commit DHPart1 DHPart2 Confirm1 Confirm2 Conf2ACK; do
		grep -q "^$t[[:space:]]" "$D/zrtp.txt" || { echo "# no $t"; return 1; }
	done
	bad=$(cut -f2 "$D/zrtp.txt" | grep -vc '^1$')
	[ "$bad" = 0 ] || { echo "# $bad without a good CRC"; return 1; }
	mal=$(cut -f3 "$D/frames.txt" | grep -c .)
	[ "$mal" = 0 ] || { echo "# $mal malformed"; return 1; }
}
step "tshark dissects every ZRTP message on the wire, every CRC good" dissect

# The peer learned from its first Hello: keyd's offer names no address.
learn() {
	app A flush || return 1
	app A create offerer method zrtp || return 1
	app A local || return 1
	peer_start -k X255 || return 1
	app A remote "[\"$ZH\"]" || return 1
	app A wait secure 30000 || { peer_wait; return 1; }
	ev=$R
	peer_wait || return 1
	R=$ev
	field sas "$PR"
	[ "$(json_get sas)" = "$F" ] && [ "$(json_get peer)" = "$IP2:$PORT" ] ||
		{ echo "# keyd: $ev"; return 1; }
	field keys "$PR"
	srtp_peer_traffic AES_CM_128_HMAC_SHA1_80 keys "$F" || return 1
	app A delete
}
step "no address in the signalling: keyd takes the peer from its Hello" learn

# a=zrtp-hash that is not the peer's Hello. Before its Hello came: its
# Hellos are dropped and counted, nothing is installed, bzrtp gets no keys.
# After keyd took its Hello: the session fails (media path and signalling
# disagree on the peer), its contexts go.
mismatch() {
	app A flush || return 1
	app A create offerer bind method zrtp || return 1
	app A local || return 1
	bad="a=zrtp-hash:1.10 $(printf '%064d' 0)"
	app A remote "[\"$bad\"]" || return 1
	peer_start -k X255 -t 4 || return 1
	peer_wait && { echo "# bzrtp got keys"; return 1; }
	app A status || return 1
	n=$(json_get hello_hash_mismatches)
	[ "${n:-0}" -gt 0 ] && [ "$(json_get exchange)" != secure ] ||
		{ echo "# status $R" | cut -c1-500; return 1; }
	echo "# $n Hellos dropped"
	no=$(ip netns exec $NS1 "$BIN/ksrtpctl" show | grep -c template)
	[ "$no" = 0 ] || { echo "# $no templates"; return 1; }
	app A delete
	app A flush || return 1
	app A create offerer bind method zrtp || return 1
	app A local || return 1
	peer_start -k X255 -t 6 || return 1
	app A wait secure 30000 || return 1
	app A remote "[\"$bad\"]" && { echo "# a late mismatch accepted"; return 1; }
	echo "# $R"
	case $R in *"does not match its a=zrtp-hash"*) ;; *) return 1 ;; esac
	no=$(ip netns exec $NS1 "$BIN/ksrtpctl" show | grep -c template)
	[ "$no" = 0 ] || { echo "# $no templates"; return 1; }
	peer_wait
	app A delete
}
step "a=zrtp-hash that does not match the peer's Hello: refused, nothing installed" mismatch

# Nobody answers: the Hello retransmissions run out (RFC 6189 §6) and the
# session fails, saying why.
silent() {
	app A flush || return 1
	app A create offerer bind method zrtp || return 1
	app A local || return 1
	app A remote '[]' || return 1
	app A wait failed 20000 || return 1
	case $R in *"retransmissions exhausted"*) ;; *) echo "# $R"; return 1 ;; esac
	app A delete
}
step "no ZRTP peer: Hello retransmissions run out, the session fails" silent

# ccall DB [ARGS...]: a call keyd offers, bzrtp keeping its ZID cache in
# DB; keyd's secure event in $EV (and $R), bzrtp's line in $PR, the
# session in $SID; the same SAS, media both ways with bzrtp's keys.
ccall() {
	db=$1
	shift
	app A flush || return 1
	app A create offerer bind method zrtp || return 1
	SID=$R
	app A local || return 1
	peer_start -C "$db" "$@" || return 1
	app A remote "[\"$ZH\"]" || return 1
	app A wait secure 30000 || { peer_wait; return 1; }
	EV=$R
	peer_wait || return 1
	R=$EV
	echo "# keyd: {$(echo "$EV" | sed 's/.*"role"/"role"/')" | cut -c1-300
	field sas "$PR"
	[ "$(json_get sas)" = "$F" ] || { echo "# SAS differ"; return 1; }
	suite=$(json_get suite)
	field keys "$PR"
	srtp_peer_traffic "$suite" keys "$F" || return 1
	R=$EV
}

# is KEY VALUE: the secure event says so
is() {
	[ "$(R=$EV; json_get "$1")" = "$2" ] || { echo "# $1 is $(R=$EV; json_get "$1"), wanted $2"; return 1; }
}

CACHE="$D/state-A/zrtp-cache-*.json"

# Retained secrets (RFC 6189 §4.3, §4.6.1): the first call leaves rs1 in
# both caches and the users verify the SAS (keyd's verify_sas, bzrtp's
# bzrtp_SASVerified); keyd restarts; the second call keys with rs1 on
# both sides (or its Confirm would not verify) and each says the SAS was
# verified.
retained() {
	rm -f "$D/bz.db" $CACHE
	ccall "$D/bz.db" -V || return 1
	is retained_secret false && is verified false && is cache_mismatch false || return 1
	"$BIN/ksrtp-keydctl" -s "$D/keyd-A.sock" verify-sas "$SID" yes > "$D/v.json" || return 1
	grep -q '"verified":true' "$D/v.json" || { cat "$D/v.json"; return 1; }
	app A delete || return 1
	f=$(ls $CACHE) && [ "$(stat -c %a "$f")" = 600 ] || { ls -l "$D/state-A"; return 1; }
	grep -q '"verified":true' "$f" || { echo "# $f"; return 1; }
	kill -TERM "$KEYD_A"
	wait "$KEYD_A" 2>/dev/null
	keyd_start A && app A reconnect || return 1
	ccall "$D/bz.db" || return 1
	is retained_secret true && is verified true && is peer_verified true &&
		is cache_mismatch false || return 1
	field verified "$PR"
	[ "$F" = 1 ] || { echo "# bzrtp: not verified"; return 1; }
	app A delete
}
step "retained secrets: after a keyd restart the second call keys with rs1, both say verified" retained

# keyd's cache file altered on disk (rs1 changed, its check kept): refused,
# the call keys without it. Then a well-formed entry whose rs1 bzrtp never
# had (the check recomputed as Documentation/keyd-zrtp.md defines it): a
# cache mismatch, nothing verified, and the users' verify_sas stores the
# call's secret at last.
tampered() {
	f=$(ls $CACHE) || return 1
	sed -i 's/"rs1":"0/"rs1":"X/; s/"rs1":"[1-9a-f]/"rs1":"0/; s/"rs1":"X/"rs1":"1/' "$f"
	ccall "$D/bz.db" || return 1
	grep -q 'check does not match its contents' "$D/keyd-A.log" || { echo "# not refused"; return 1; }
	is retained_secret false && is cache_mismatch false && is verified false || return 1
	app A delete || return 1
	f=$(ls $CACHE) || return 1
	z=$(sed 's/.*"peer_zid":"\([0-9a-f]*\)".*/\1/' "$f")
	rs1=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	ck=$(printf 'ksrtp-zrtp-cache-1 %s %s %s %d %s' "$z" "$rs1" "" 0 0 | sha256sum | cut -d' ' -f1)
	printf '{"peer_zid":"%s","rs1":"%s","rs2":"","verified":false,"expires":0,"check":"%s"}\n' \
		"$z" "$rs1" "$ck" > "$f"
	ccall "$D/bz.db" || return 1
	is cache_mismatch true && is retained_secret false && is verified false || return 1
	grep -q "\"rs1\":\"$rs1\"" "$f" ||
		{ echo "# the mismatched entry was replaced before the SAS was verified"; return 1; }
	"$BIN/ksrtp-keydctl" -s "$D/keyd-A.sock" verify-sas "$SID" yes > "$D/v.json" || return 1
	# the call's secret is rs1 now, the one it did not match rs2 (§4.6.1)
	grep -q "\"rs2\":\"$rs1\"" "$f" || { echo "# verify_sas stored nothing"; return 1; }
	grep -q '"verified":true' "$f" || { echo "# $f"; return 1; }
	app A delete
}
step "cache: an entry altered on disk refused; one bzrtp lacks is a cache mismatch" tampered

# pbxsecret (§4.3, §7.3.1), as if bzrtp's users had enrolled with keyd as
# their PBX: the same secret in both caches (keyd's entry rewritten with
# its check in the form Documentation/keyd-zrtp.md defines; bzrtp's sqlite
# row by -X) is s3 on both sides, or the Confirms would not verify. The
# call's cache update keeps it. bzrtp lists no Prsh: a DH call.
pbx() {
	f=$(ls $CACHE) || return 1
	get() { sed 's/.*"'"$1"'":"\{0,1\}\([0-9a-f]*\|true\|false\)"\{0,1\}[,}].*/\1/' "$f"; }
	z=$(get peer_zid) rs1=$(get rs1) rs2=$(get rs2) v=$(get verified) exp=$(get expires)
	[ "$v" = true ] && v=1 || v=0
	pbx=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	ck=$(printf 'ksrtp-zrtp-cache-2 %s %s %s %s %d %s' "$z" "$rs1" "$rs2" "$pbx" "$v" "$exp" |
		sha256sum | cut -d' ' -f1)
	[ "$v" = 1 ] && v=true || v=false
	printf '{"peer_zid":"%s","rs1":"%s","rs2":"%s","pbx":"%s","verified":%s,"expires":%s,"check":"%s"}\n' \
		"$z" "$rs1" "$rs2" "$pbx" "$v" "$exp" "$ck" > "$f"
	ccall "$D/bz.db" -X "$pbx" || return 1
	# (rs1 no longer matches: bzrtp kept its own through the last step's mismatch)
	is pbx_secret match && is key_agreement X255 || return 1
	grep -q "\"pbx\":\"$pbx\"" "$f" || { echo "# the pbxsecret is gone: $f"; return 1; }
	app A delete
}
step "pbxsecret in both caches (bzrtp's sqlite, keyd's file): s3 on both sides" pbx

# Multistream (RFC 6189 §4.4.3): a second stream of the call (app C in
# $NS1, two ports up, created with zrtp_multistream_of) keys from the first
# stream's ZRTP session without a DH; bzrtp's second channel of the same
# context agrees. Media on both streams with bzrtp's keys; the second
# stream shows the first's SAS.
multistream() {
	[ -n "$APP_C" ] || app_start C $NS1 $IP1:$((PORT + 2)) $IP2:$((PORT + 2)) || return 1
	app A flush && app C flush || return 1
	app A create offerer bind method zrtp || return 1
	sid=$R
	app A local || return 1
	peer_start -m -k X255 || return 1
	app A remote "[\"$ZH\"]" || return 1
	app A wait secure 30000 || { peer_wait; return 1; }
	ev1=$R
	app C create offerer bind method zrtp ms_of "$sid" || return 1
	app C local || return 1
	app C remote '[]' || return 1
	app C wait secure 30000 || { peer_wait; return 1; }
	ev2=$R
	peer_wait || return 1
	echo "# keyd, second stream: $ev2" | cut -c1-400
	R=$ev1
	sas=$(json_get sas)
	suite=$(json_get suite)
	R=$ev2
	[ "$(json_get multistream_of)" = "$sid" ] && [ "$(json_get sas)" = "$sas" ] &&
		[ "$(json_get suite)" = "$suite" ] || { echo "# first stream: $ev1"; return 1; }
	field keys "$(echo "$PR" | grep '^SECURE ')"
	k1=$F
	field keys "$(echo "$PR" | grep '^SECURE2 ')"
	k2=$F
	[ -n "$k2" ] && [ "$k1" != "$k2" ] || { echo "# bzrtp: $PR"; return 1; }
	srtp_peer_traffic "$suite" keys "$k1" || return 1
	srtp_peer_traffic "$suite" keys "$k2" C $((PORT + 2)) || return 1
	app C status || return 1
	[ "$(json_get exchange)" = secure ] || { echo "# $R" | cut -c1-400; return 1; }
	app C delete && app A delete
}
step "Multistream: a second stream keyed from the first's ZRTP session, bzrtp's second channel" multistream

# What keyd refuses.
refusals() {
	app A create offerer method zrtp suites AEAD_AES_128_GCM && { echo "# GCM accepted"; return 1; }
	echo "# $R"
	app A create offerer bind method zrtp || return 1
	app A local || return 1
	app A remote '["a=zrtp-hash:1.10 xyz"]' && { echo "# bad hash accepted"; return 1; }
	echo "# $R"
	peer_start -k X255 || return 1
	app A remote "[\"$ZH\"]" || return 1
	app A wait secure 30000 || return 1
	peer_wait || return 1
	app A rekey && { echo "# rekey accepted"; return 1; }
	echo "# $R"
	case $R in *unsupported*) ;; *) return 1 ;; esac
	app A delete
}
step "refused: suites ZRTP cannot key, a malformed a=zrtp-hash, rekey" refusals

app A quit > /dev/null 2>&1
[ -n "$APP_C" ] && app C quit > /dev/null 2>&1

step "keyd stops cleanly: exit 0, no ASan/LSan/UBSan report" keyds_exit_clean A

ktap_finish
