#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ksrtp-keyd's certificate modes of MIKEY (MIKEY-PK, RFC 4738's MIKEY-RSA-R,
# MIKEY-DH-SIGN) end to end: two keyds in two network namespaces with
# certificates from one CA (tests/keyd/pki: alice for A, bob for B, B
# signing with RSA-PSS), one keyd_app on each side, this script copying the
# attributes. Checked: a PK call (A seals to bob's certificate), an RSA-R
# call (B seals to the certificate A sent) and a DH-SIGN call offered by B,
# each with media both ways through the CS ID map's contexts and tshark
# dissecting both messages with no malformed or expert item and the
# payload chain keyd meant; RSA-R and DH-SIGN rekeyed from each side under
# traffic with zero loss; refused with the right ERR, read back by A, and no
# context on either side: a self-signed certificate claiming to be alice, a
# signature altered in transit, a replayed I_MESSAGE; a PK offer to a peer
# whose certificate keyd does not have refused with the reason.
#
# Runs as root with ksrtp.ko loaded (selftests/run.sh in the VM); cwd is the
# project tree, binaries in build/bin.
. "$(dirname "$0")/lib.sh"

KEYD_TEST=keyd_mikey_pki
. "$(dirname "$0")/keyd_lib.sh"
. "$(dirname "$0")/keyd_mikey_lib.sh"

SA=4369		# 0x1111: app A's SSRC
SB=8738		# 0x2222: app B's SSRC
MAP="0x00001111,0x00002222"	# the CS ID map's SSRCs as tshark prints them
ALICE=sip:alice@example.org
BOB=sip:bob@example.org

ktap_plan 8

# The committed test PKI, keys 0600 as keyd wants; mallory: a self-signed
# certificate naming alice, which A (only) trusts, so that it can sign with it.
pki() {
	for f in ca.pem alice.pem alice.key bob.pem bob.key peers.pem; do
		cp tests/keyd/pki/$f "$D/$f" || return 1
	done
	chmod 0600 "$D/alice.key" "$D/bob.key" &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/mallory.key" \
		-out "$D/mallory.pem" -days 2 -subj /CN=alice \
		-addext "subjectAltName=URI:$ALICE" > /dev/null 2>&1 &&
	chmod 0600 "$D/mallory.key" &&
	cat "$D/ca.pem" "$D/mallory.pem" > "$D/ca-a.pem" &&
	cp "$D/alice.pem" "$D/a.pem" && cp "$D/alice.key" "$D/a.key"
}

COMMON="rx_key_grace_ms = 1000
answer_rekey_delay_ms = 2000
mikey_peer_certs = $D/peers.pem
log_level = info"

setup() {
	pki || return 1
	printf '%s\nmikey_identity = %s\nmikey_cert = %s\nmikey_key = %s\nmikey_ca = %s\n' \
		"$COMMON" $ALICE "$D/a.pem" "$D/a.key" "$D/ca-a.pem" > "$D/keyd-A.conf"
	printf '%s\nmikey_identity = %s\nmikey_cert = %s\nmikey_key = %s\nmikey_ca = %s\nmikey_sign = pss\n' \
		"$COMMON" $BOB "$D/bob.pem" "$D/bob.key" "$D/ca.pem" > "$D/keyd-B.conf"
	keyd_setup "A B" "$COMMON"
}
step "setup: namespaces, test PKI, two keyds (alice, bob), two apps" setup
setup_or_skip 8

pk_call() {
	mcall A B "ssrc $SA peer_ssrc $SB roc 5 mode pk peer_id $BOB" "ssrc $SB" || return 1
	mode_both pk || return 1
	c=$(ctxs $NS2)
	[ "$c" = "rx:$SA:5 tx:$SB:0" ] || { echo "# B's contexts: $c"; return 1; }
	exchange 20 || return 1
	csb=$(csb_of A) || return 1
	# I: T RAND IDi CERT IDr SP KEMAC PKE SIGN; R: T IDr V
	expect_dissect "$offer" "2;1;$csb;$MAP;0x00000005,0x00000000;5,11,6,7,6,10,1,2,4;1;;;" \
		"PK I_MESSAGE" \
		"$answer" "3;0;$csb;$MAP;0x00000005,0x00000000;5,6,9,0;;;;" \
		"PK R_MESSAGE" || return 1
	hangup
}
step "PK, A offers to bob's certificate (ROC 5): media both ways, tshark on both messages" pk_call

rsar_call() {
	mcall A B "ssrc $SA peer_ssrc $SB roc 3 mode rsa-r" "ssrc $SB" || return 1
	mode_both rsa-r || return 1
	exchange 20 || return 1
	csb=$(csb_of A) || return 1
	# I: T RAND IDi CERT SP SIGN; R: T IDr CERT SP KEMAC PKE SIGN (the TGK from B)
	expect_dissect "$offer" "9;1;$csb;$MAP;0x00000003,0x00000000;5,11,6,7,10,4;;;;" \
		"RSA-R I_MESSAGE" \
		"$answer" "10;0;$csb;$MAP;0x00000003,0x00000000;5,6,7,10,1,2,4;1;;;" \
		"RSA-R R_MESSAGE" || return 1
	rekeys_under_traffic || return 1
	app A status || return 1
	[ "$(json_get exchanges)" = 3 ] || { echo "# A: $R" | cut -c1-300; return 1; }
	hangup
}
step "RSA-R, A offers (ROC 3): tshark on both messages, rekeys from each side, zero loss" \
	rsar_call

dhsign_call() {
	mcall B A "ssrc $SB peer_ssrc $SA mode dh-sign" "ssrc $SA" || return 1
	mode_both dh-sign || return 1
	app A status || return 1
	[ "$(json_get pfs)" = true ] || { echo "# A: $R" | cut -c1-300; return 1; }
	exchange 20 || return 1
	csb=$(csb_of B) || return 1
	# I: T RAND IDi CERT SP DHi SIGN; R: T IDr CERT IDi DHr DHi SIGN
	expect_dissect "$offer" "4;1;$csb;0x00002222,0x00001111;0x00000000,0x00000000;5,11,6,7,10,3,4;;;;" \
		"DH-SIGN I_MESSAGE" \
		"$answer" "5;0;$csb;0x00002222,0x00001111;0x00000000,0x00000000;5,6,7,6,3,3,4;;;;" \
		"DH-SIGN R_MESSAGE" || return 1
	rekeys_under_traffic || return 1
	hangup
}
step "DH-SIGN, B offers (PSS signatures, forward secrecy): tshark, rekeys from each side, zero loss" \
	dhsign_call

untrusted() {
	cp "$D/mallory.pem" "$D/a.pem" && cp "$D/mallory.key" "$D/a.key" || return 1
	offer_only "mode pk peer_id $BOB"
	rc=$?
	cp "$D/alice.pem" "$D/a.pem" && cp "$D/alice.key" "$D/a.key" || return 1
	[ $rc = 0 ] || return 1
	app B remote "$offer" && { echo "# B accepted mallory's offer"; return 1; }
	# the signer is not trusted: an unauthenticated error message
	refused_both 8 "Invalid Cert" "$((csb))" "5,12,0"
}
step "a self-signed certificate naming alice: ERR Invalid Cert both ways, no contexts" untrusted

tampered() {
	offer_only "mode dh-sign" || return 1
	b=$(b64_of "$offer")
	t=$(python3 -c '
import base64, sys
b = bytearray(base64.b64decode(sys.argv[1])); b[-1] ^= 1
print(base64.b64encode(bytes(b)).decode())' "$b")
	app B remote "[\"a=key-mgmt:mikey $t\"]" && { echo "# B accepted"; return 1; }
	refused_both 0 "Auth failure" "$((csb))" "5,12,0"
}
step "an altered signature: ERR Auth failure, no contexts" tampered

replay() {
	offer_only "mode rsa-r" || return 1
	app B remote "$offer" || return 1
	app B delete || return 1
	app B create answerer bind method mikey ssrc $SB || return 1
	app B remote "$offer" && { echo "# B accepted a replay"; return 1; }
	no_ctxs $NS2 || return 1
	# the signature verified: B signs its error message
	refused_both 1 "Invalid TS" "$((csb))" "5,12,4"
}
step "a replayed RSA-R I_MESSAGE: ERR Invalid TS in a signed error message, no contexts" replay

unknown_peer() {
	app A create offerer bind method mikey ssrc $SA mode pk peer_id sip:carol@example.org ||
		return 1
	app A local && { echo "# an offer sealed to nobody"; return 1; }
	case $R in *"no certificate for identity"*) ;; *) echo "# A said: $R"; return 1 ;; esac
	app A delete
}
step "PK to a peer whose certificate keyd lacks: refused, saying so" unknown_peer

ktap_finish
