#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ksrtp-keyd against another DTLS-SRTP implementation: `openssl s_client`
# and `openssl s_server` (-dtls1_2 -use_srtp P -keymatexport
# EXTRACTOR-dtls_srtp) in a second network namespace, for every profile and
# both DTLS roles. keyd's keys are write-only in the kernel, so the test
# proves by traffic that they equal what OpenSSL exported: once openssl has
# printed its keying material it is SIGKILLed (no close_notify), and
# keyd_srtp_peer (libsrtp2) binds the same address, cuts the master keys
# from that material itself (RFC 5764 §4.2, by openssl's role), and must
# decrypt keyd_app's RTP/RTCP to the exact bytes sent, while keyd_app must
# receive exactly what libsrtp2 protected. keyd, for its part, checked
# openssl's certificate against the fingerprint computed with
# `openssl x509 -fingerprint`.
#
# Runs as root with ksrtp.ko loaded (selftests/run.sh in the VM); cwd is the
# project tree, binaries in build/bin.
. "$(dirname "$0")/lib.sh"

KEYD_TEST=keyd_dtls_openssl
. "$(dirname "$0")/keyd_lib.sh"

# ksrtp suite, OpenSSL profile name, exported length (2 * (key + salt))
PROFILES="AES_CM_128_HMAC_SHA1_80:SRTP_AES128_CM_SHA1_80:60
AES_CM_128_HMAC_SHA1_32:SRTP_AES128_CM_SHA1_32:60
AEAD_AES_128_GCM:SRTP_AEAD_AES_128_GCM:56
AEAD_AES_256_GCM:SRTP_AEAD_AES_256_GCM:88"
ktap_plan 10
OSSL_PID=''

setup() {
	command -v openssl > /dev/null || { echo "# no openssl"; return 1; }
	keyd_setup A "allow_insecure_signalling = no
log_level = info" || return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$D/key.pem" -out "$D/cert.pem" -days 2 -subj /CN=openssl-peer \
		> "$D/req.log" 2>&1 || return 1
	FP=$(openssl x509 -in "$D/cert.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
	[ -n "$FP" ] || return 1
	echo "# openssl certificate: sha-256 $FP"
}

step "setup: namespaces, keyd, app, openssl certificate" setup
setup_or_skip 10

# ossl_start OUT ARGS...: openssl in $NS2, output to OUT, stdin a FIFO the
# script holds open on fd 3 (openssl would send what it reads, and quit at
# EOF with close_notify).
ossl_start() {
	out=$1
	shift
	rm -f "$D/ossl.in"
	mkfifo "$D/ossl.in" || return 1
	ip netns exec $NS2 openssl "$@" < "$D/ossl.in" > "$out" 2>&1 &
	OSSL_PID=$!
	exec 3> "$D/ossl.in"
}

# ossl_kill: SIGKILL (no close_notify: keyd keeps its contexts), port free again
ossl_kill() {
	[ -n "$OSSL_PID" ] || return 0
	kill -9 "$OSSL_PID" 2>/dev/null
	wait "$OSSL_PID" 2>/dev/null
	OSSL_PID=
	exec 3>&-
}

# ossl_keys OUT PROFILE: wait for openssl's keying material ($KM), kill it.
ossl_keys() {
	i=0
	until grep -q 'Keying material: ' "$1"; do
		i=$((i + 1))
		[ $i -gt 150 ] && { echo "# openssl:"; sed 's/^/#   /' "$1" | tail -n 15; return 1; }
		sleep 0.1
	done
	ossl_kill
	grep -q "SRTP Extension negotiated, profile=$2\$" "$1" ||
		{ echo "# openssl negotiated: $(grep SRTP "$1")"; return 1; }
	KM=$(sed -n 's/.*Keying material: \([0-9A-Fa-f]*\).*/\1/p' "$1" | head -n 1)
	echo "# openssl exported $KM"
}

# traffic SUITE ROLE LEN: keyd_srtp_peer with openssl's keys on openssl's
# address; 20 RTP (+2 RTCP) each way, plaintext checked on both ends.
traffic() {
	[ ${#KM} = $(($3 * 2)) ] || { echo "# keying material of ${#KM} hex digits, wanted $3 bytes"; return 1; }
	srtp_peer_traffic "$1" "$2" "$KM"
}

# keyd is the DTLS server: keyd offers actpass, openssl s_client answers
# active and connects from the address the answer names.
keyd_server() {
	suite=${1%%:*}
	rest=${1#*:}
	prof=${rest%%:*}
	len=${rest#*:}
	app A flush || return 1
	app A create offerer bind method dtls suites "$suite" || return 1
	app A local || return 1
	app A remote "[\"a=fingerprint:sha-256 $FP\",\"a=setup:active\"]" || return 1
	ossl_start "$D/ossl.out" s_client -dtls1_2 -bind $IP2:$PORT -connect $IP1:$PORT \
		-cert "$D/cert.pem" -key "$D/key.pem" -use_srtp "$prof" \
		-keymatexport EXTRACTOR-dtls_srtp -keymatexportlen "$len"
	app A wait secure 20000 || { sed 's/^/#   /' "$D/ossl.out" | tail -n 15; return 1; }
	[ "$(json_get role)" = server ] && [ "$(json_get fingerprint)" = "sha-256 $FP" ] &&
		[ "$(json_get suite)" = "$suite" ] || { echo "# $R"; return 1; }
	ossl_keys "$D/ossl.out" "$prof" || return 1
	traffic "$suite" client "$len" || return 1
	app A delete
}

# keyd is the DTLS client: openssl s_server's offer (actpass), keyd answers
# active and starts the handshake.
keyd_client() {
	suite=${1%%:*}
	rest=${1#*:}
	prof=${rest%%:*}
	len=${rest#*:}
	app A flush || return 1
	ossl_start "$D/ossl.out" s_server -dtls1_2 -accept $IP2:$PORT \
		-cert "$D/cert.pem" -key "$D/key.pem" -verify 1 -use_srtp "$prof" \
		-keymatexport EXTRACTOR-dtls_srtp -keymatexportlen "$len"
	i=0
	until grep -q ACCEPT "$D/ossl.out"; do
		i=$((i + 1))
		[ $i -gt 100 ] && { sed 's/^/#   /' "$D/ossl.out"; return 1; }
		sleep 0.1
	done
	app A create answerer bind method dtls suites "$suite" || return 1
	app A remote "[\"a=fingerprint:sha-256 $FP\",\"a=setup:actpass\"]" || return 1
	app A local || return 1
	case $R in *a=setup:active*) ;; *) echo "# answer $R"; return 1 ;; esac
	app A wait secure 20000 || { sed 's/^/#   /' "$D/ossl.out" | tail -n 15; return 1; }
	[ "$(json_get role)" = client ] && [ "$(json_get fingerprint)" = "sha-256 $FP" ] &&
		[ "$(json_get suite)" = "$suite" ] || { echo "# $R"; return 1; }
	ossl_keys "$D/ossl.out" "$prof" || return 1
	traffic "$suite" server "$len" || return 1
	app A delete
}

for p in $PROFILES; do
	step "keyd DTLS server, openssl s_client, ${p%%:*}: keys equal OpenSSL's export" keyd_server "$p"
	ossl_kill
	step "keyd DTLS client, openssl s_server, ${p%%:*}: keys equal OpenSSL's export" keyd_client "$p"
	ossl_kill
done

# A certificate that is not the one signalled: keyd refuses openssl's
# handshake, installs nothing, and says why.
mismatch() {
	app A flush || return 1
	app A create offerer bind method dtls || return 1
	app A local || return 1
	bad=$(echo "$FP" | sed 's/^0/X/; s/^[0-9A-F]/0/; s/^X/1/')
	app A remote "[\"a=fingerprint:sha-256 $bad\",\"a=setup:active\"]" || return 1
	ossl_start "$D/ossl.out" s_client -dtls1_2 -bind $IP2:$PORT -connect $IP1:$PORT \
		-cert "$D/cert.pem" -key "$D/key.pem" -use_srtp SRTP_AES128_CM_SHA1_80 \
		-keymatexport EXTRACTOR-dtls_srtp -keymatexportlen 60
	app A wait failed 20000 || return 1
	ossl_kill
	case $R in *"fingerprint mismatch"*) ;; *) echo "# $R"; return 1 ;; esac
	no=$(ip netns exec $NS1 "$BIN/ksrtpctl" show | grep -c template)
	[ "$no" = 0 ] || { echo "# $no templates left"; return 1; }
	app A delete
}
step "openssl s_client with a certificate that does not match a=fingerprint: refused" mismatch

app A quit > /dev/null 2>&1
ktap_finish
