#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Two ksrtp-keyds keying ZRTP (RFC 6189) with each other through the
# kernel, for what no ZRTP peer on Debian does (bzrtp 5.1 lists Preshared
# but has no code for it, and plays no PBX): after a DH call whose SAS
# both verify, the next call is Preshared (§4.4.2: keyed from rs1, no DH,
# so "pfs" is false), also after a keyd restart; keyd B as a PBX offers
# enrollment (§7.3.1), keyd A's users accept it with verify_sas, both
# keep the pbxsecret, and the next call mixes it in on both sides; then B
# bridges A to bzrtp (a third party) and relays that leg's SAS to A, who
# shows bzrtp's own SAS. Each call between the keyds: the same SAS on both
# sides and media both ways through ksrtp.
# keyd_zrtp.sh is the interop with bzrtp; this is keyd's own logic, run
# on the newest kernel only after the first call (newest_step).
#
# Runs as root with ksrtp.ko loaded (selftests/run.sh in the VM); cwd is the
# project tree, binaries in build/bin.
. "$(dirname "$0")/lib.sh"

KEYD_TEST=keyd_zrtp_keyd
. "$(dirname "$0")/keyd_lib.sh"
KEYD_BIN=$BIN/ksrtp-keyd-asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=66
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=67

ktap_plan 7

step "setup: two keyds offering Prsh, two apps" keyd_setup "A B" "log_level = info
zrtp_key_agreements = X255 DH3k Prsh"
setup_or_skip 7

# zcall [B's create words]: A offers ZRTP, B answers; both secure with the
# same SAS (events in $EA, $EB; sessions $SA, $SB), 20 packets each way.
zcall() {
	app A flush && app B flush || return 1
	app A create offerer bind method zrtp || return 1
	SA=$R
	app B create answerer bind method zrtp "$@" || return 1
	SB=$R
	negotiate A B || return 1
	app A wait secure 30000 || return 1
	EA=$R
	app B wait secure 30000 || return 1
	EB=$R
	echo "# A: {$(echo "$EA" | sed 's/.*"role"/"role"/')" | cut -c1-300
	echo "# B: {$(echo "$EB" | sed 's/.*"role"/"role"/')" | cut -c1-300
	[ "$(R=$EA; json_get sas)" = "$(R=$EB; json_get sas)" ] || { echo "# SAS differ"; return 1; }
	exchange 20
}

# both KEY VALUE: both secure events say so
both() {
	[ "$(R=$EA; json_get "$1")" = "$2" ] && [ "$(R=$EB; json_get "$1")" = "$2" ] ||
		{ echo "# $1: A $(R=$EA; json_get "$1"), B $(R=$EB; json_get "$1"), wanted $2"; return 1; }
}

verify() {	# verify WHO SESSION [--enroll-pbx]
	"$BIN/ksrtp-keydctl" -s "$D/keyd-$1.sock" verify-sas "$2" yes $3 > "$D/v.json" &&
		grep -q '"verified":true' "$D/v.json" || { cat "$D/v.json"; return 1; }
}

hang_up() {
	app A delete && app B delete
}

first() {
	zcall || return 1
	both key_agreement X255 && both pfs true && both retained_secret false || return 1
	verify A "$SA" && verify B "$SB" && hang_up
}
step "a DH call between two keyds: same SAS, media both ways; both verify the SAS" first

# Preshared (§4.4.2): both hold a verified rs1 and list Prsh; after keyd A
# restarts (its cache on disk), the call keys from rs1 alone.
preshared() {
	kill -TERM "$KEYD_A"
	wait "$KEYD_A" 2>/dev/null
	keyd_start A && app A reconnect || return 1
	zcall || return 1
	both key_agreement Prsh && both pfs false && both retained_secret true &&
		both verified true || return 1
	hang_up
}
newest_step "Preshared after a keyd restart: rs1 keys the call without a DH, pfs false" preshared

# PBX enrollment (§7.3.1): B is the PBX (M, E); A sees the offer and its
# users accept it; both keep the pbxsecret (A's cache file has it), and
# in the next call it matches on both sides (s3, or the keys would differ).
enroll() {
	zcall pbx_enroll || return 1
	[ "$(R=$EA; json_get pbx_enrollment)" = true ] &&
		[ "$(R=$EB; json_get pbx_enrolled)" = true ] ||
		{ echo "# no enrollment offered, or B kept nothing"; return 1; }
	verify A "$SA" --enroll-pbx || return 1
	grep -q '"pbx_enrolled":true' "$D/v.json" || { cat "$D/v.json"; return 1; }
	grep -q '"pbx":"' "$D"/state-A/zrtp-cache-*.json && grep -q '"pbx":"' "$D"/state-B/zrtp-cache-*.json ||
		{ echo "# no pbxsecret in a cache"; return 1; }
	hang_up || return 1
	zcall || return 1
	both pbx_secret match || return 1
	# refused on a secure call: enrolling where none was offered, or with "no"
	"$BIN/ksrtp-keydctl" -s "$D/keyd-A.sock" verify-sas "$SA" yes --enroll-pbx > "$D/r.json"
	grep -q 'offered no PBX enrollment' "$D/r.json" || { cat "$D/r.json"; return 1; }
	"$BIN/ksrtp-keydctl" -s "$D/keyd-A.sock" verify-sas "$SA" no --enroll-pbx > "$D/r.json"
	grep -q 'enroll_pbx: only with verified true' "$D/r.json" || { cat "$D/r.json"; return 1; }
	hang_up
}
newest_step "PBX enrollment: B offers, A's users accept, the next call has pbx_secret match" enroll

# keyd B as a PBX (§7.3) between keyd A, enrolled with it in the step
# before, and bzrtp (keyd_zrtp_peer on $IP3: a far party that knows no
# PBX): B bridges its two legs and relays the B-bzrtp leg's SAS to A, who
# is shown it (sas_relayed, trusted): the very SAS bzrtp shows its users.
relay() {
	[ -x "$BIN/keyd_zrtp_peer" ] || { echo "# no keyd_zrtp_peer (libbzrtp-dev)"; return 1; }
	[ -n "$APP_C" ] || app_start C $NS2 $IP2:$((PORT + 2)) $IP3:$PORT B || return 1
	zcall pbx || return 1
	[ "$(R=$EA; json_get pbx_secret)" = match ] || { echo "# A is not enrolled"; return 1; }
	app C flush && app C create offerer bind method zrtp pbx || return 1
	SC=$R
	app C local || return 1
	kh=$(echo "$R" | sed 's/.*a=zrtp-hash:\([^"]*\)".*/\1/')
	rm -f "$D/zh"
	ip netns exec $NS2 "$BIN/keyd_zrtp_peer" -l $IP3:$PORT -p $IP2:$((PORT + 2)) \
		-H "$D/zh" -P "$kh" > "$D/peer.txt" 2> "$D/peer.err" &
	peer=$!
	PEER_PIDS="$PEER_PIDS $peer"
	wait_for "$D/zh" . 10 || return 1
	app C remote "[\"$(cat "$D/zh")\"]" && app C wait secure 30000 || return 1
	wait $peer || { echo "# bzrtp: $(cat "$D/peer.txt") $(tail -n 3 "$D/peer.err")"; return 1; }
	field sas "$(cat "$D/peer.txt")"
	far=$F
	"$BIN/ksrtp-keydctl" -s "$D/keyd-B.sock" bridge "$SB" "$SC" > "$D/b.json" &&
		grep -q '"bridge_to"' "$D/b.json" || { cat "$D/b.json"; return 1; }
	app A wait sas_relayed 10000 || return 1
	echo "# A: $R"
	[ "$(json_get sas)" = "$far" ] && [ "$(json_get trusted)" = true ] ||
		{ echo "# A shows $(json_get sas), bzrtp's SAS is $far"; return 1; }
	i=0
	until "$BIN/ksrtp-keydctl" -s "$D/keyd-B.sock" status "$SB" > "$D/s.json" &&
		grep -q '"sasrelay_sent":1,"sasrelay_unacked":0' "$D/s.json" &&
		! grep -q '"exchange":"failed"' "$D/s.json"; do
		i=$((i + 1))
		[ $i -gt 20 ] && { echo "# B: $(cut -c1-600 "$D/s.json")"; return 1; }
		sleep 0.2
	done
	"$BIN/ksrtp-keydctl" -s "$D/keyd-B.sock" unbridge "$SB" > /dev/null && app C delete &&
		hang_up
}
newest_step "PBX relay: keyd B bridges A (enrolled) and bzrtp; A is shown bzrtp's SAS" relay

refusals() {
	app A create offerer bind method zrtp || return 1
	SA=$R
	"$BIN/ksrtp-keydctl" -s "$D/keyd-A.sock" verify-sas "$SA" yes > "$D/r.json"
	grep -q 'no SAS to verify' "$D/r.json" || { cat "$D/r.json"; return 1; }
	app A delete || return 1
	! app A create offerer method sdes pbx_enroll || return 1
	case $R in *zrtp_pbx_enroll*) ;; *) return 1 ;; esac
	! app A create offerer method zrtp ms_of "$SA" pbx_enroll || return 1
	case $R in *'zrtp_pbx_enroll: not with zrtp_multistream_of'*) ;; *) return 1 ;; esac
}
newest_step "refused: verify_sas before the exchange, zrtp_pbx_enroll on SDES or Multistream" refusals

app A quit > /dev/null 2>&1
app B quit > /dev/null 2>&1
[ -n "$APP_C" ] && app C quit > /dev/null 2>&1

step "both keyds stop cleanly: exit 0, no ASan/LSan/UBSan report" keyds_exit_clean A B

ktap_finish
