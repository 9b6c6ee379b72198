#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of the DTLS-SRTP engine (userspace-keyd/keyd/dtls*.c, fingerprint.c):
#   1. unit tests (ASan+UBSan): fingerprint/setup parsing, the role table,
#      and engine pairs handshaking in memory (every profile, cookies,
#      fingerprint checks, loss/reorder/duplication, garbage, timeouts,
#      restarts, close_notify);
#   2. interop over loopback UDP with an independent implementation:
#      `openssl s_server` and `openssl s_client` (-use_srtp, -keymatexport
#      EXTRACTOR-dtls_srtp), our engine as client and as server, for every
#      profile; the exported keying material must be identical;
#   3. libFuzzer targets for FUZZ_SECONDS each (default 15; 0 = replay the
#      seed corpus only), in parallel, over a copy of tests/dtls/corpus.
# Output is KTAP: one plan, "ok N name" / "not ok N name" at column 0,
# everything else prefixed with "# ". Exits non-zero if anything failed.
#
#   tests/dtls/run.sh
#   FUZZ_SECONDS=120 tests/dtls/run.sh
#   BUILD=/tmp/dtls tests/dtls/run.sh
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$ROOT/build/dtls}
FUZZ_SECONDS=${FUZZ_SECONDS:-15}
MAKE=${MAKE:-make}
OPENSSL=${OPENSSL:-openssl}
case $FUZZ_SECONDS in
''|*[!0-9]*) echo "# FUZZ_SECONDS must be a number of seconds" >&2; exit 2 ;;
esac
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
mkdir -p "$BUILD"
START=$SECONDS
N=0
FAILED=0

echo "TAP version 13"
diag() { sed 's/^/# /'; }
# shellcheck source=../lib/fuzz.sh
. "$HERE/../lib/fuzz.sh"
ok() { N=$((N + 1)); echo "ok $N $*"; }
not_ok() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N $*"; }
skip() { N=$((N + 1)); echo "ok $N $1 # SKIP $2"; }
mk() { "$MAKE" --no-print-directory -s -C "$HERE" BUILD="$BUILD" "$@"; }

# ---------------------------------------------------------------- 1. unit tests

echo "# dtls: building unit tests and the interop tool in $BUILD"
unit_built=1
if ! mk unit > "$BUILD/build-unit.log" 2>&1; then
	diag < "$BUILD/build-unit.log"
	not_ok "unit test build"
	unit_built=0
fi

# A unit binary's own KTAP lines, renumbered into this plan.
run_unit() {	# $1 = binary name
	local t=$1 log=$BUILD/$1.log st plan seen
	echo "# dtls: $t"
	"$BUILD/$t" > "$log" 2>&1
	st=$?
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$log" | head -n 1)
	seen=0
	while IFS= read -r line; do
		case $line in
		"ok "[0-9]*)	 seen=$((seen + 1)); ok "$t: ${line#ok * }" ;;
		"not ok "[0-9]*) seen=$((seen + 1)); not_ok "$t: ${line#not ok * }" ;;
		"TAP version"*|1..*) ;;
		"#"*)		 echo "$line" ;;
		*)		 echo "# $line" ;;
		esac
	done < "$log"
	# a crash (sanitizer abort) leaves the plan unfinished: say so
	if [ "$st" != 0 ] && ! grep -qE '^not ok ' "$log" || [ "${plan:-0}" != "$seen" ]; then
		not_ok "$t: exited with status $st after $seen of ${plan:-?} tests"
	fi
}

if [ $unit_built = 1 ]; then
	for t in $(mk list-units); do
		run_unit "$t"
	done
fi
echo "# dtls: unit tests done at $((SECONDS - START)) s"

# ---------------------------------------------------------------- 2. interop

W=$BUILD/interop
rm -rf "$W"
mkdir -p "$W"
PORT=$((20000 + $$ % 20000))
IO=$BUILD/dtls_interop

# key export lengths: 2 * (key + salt)
declare -A LEN=([SRTP_AES128_CM_SHA1_80]=60 [SRTP_AES128_CM_SHA1_32]=60
		[SRTP_AEAD_AES_128_GCM]=56 [SRTP_AEAD_AES_256_GCM]=88)
PROFILES="SRTP_AES128_CM_SHA1_80 SRTP_AES128_CM_SHA1_32 SRTP_AEAD_AES_128_GCM SRTP_AEAD_AES_256_GCM"

fp_of() {	# $1 = cert, $2 = sha1|sha256|sha384|sha512 -> "sha-256 AB:..."
	local v
	v=$("$OPENSSL" x509 -in "$1" -noout -fingerprint "-$2" | sed 's/.*=//')
	echo "sha-${2#sha} $v"
}

wait_file() {	# $1 = file, $2 = pattern (optional), $3 = tenths of a second
	local i
	for ((i = 0; i < ${3:-50}; i++)); do
		if [ -s "$1" ] && { [ -z "${2:-}" ] || grep -q "$2" "$1"; }; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# Runs openssl in the background with stdin held open (a FIFO we keep),
# so it neither quits on EOF nor leaves helper processes behind.
OSSL_PID=
ossl_start() {	# $1 = output file, then the openssl arguments
	local out=$1
	shift
	rm -f "$W/stdin"
	mkfifo "$W/stdin"
	exec {OSSL_IN}<>"$W/stdin"
	"$OPENSSL" "$@" < "$W/stdin" > "$out" 2>&1 &
	OSSL_PID=$!
}
ossl_stop() {
	kill "$OSSL_PID" 2> /dev/null
	wait "$OSSL_PID" 2> /dev/null
	exec {OSSL_IN}>&-
	OSSL_PID=
}

# The check every positive interop test ends with.
compare() {	# $1 = name, $2 = ours.out, $3 = openssl.out, $4 = profile, $5 = our rc
	local name=$1 ours=$2 theirs=$3 p=$4 rc=$5 mine others why=
	mine=$(sed -n 's/^material=//p' "$ours")
	others=$(awk '/Keying material:/{print $3}' "$theirs" | head -n 1)
	[ "$rc" = 0 ] || why="our side exited $rc"
	[ -z "$why" ] && ! grep -q "state=connected verified=yes profile=$p " "$ours" &&
		why="not connected+verified with $p"
	[ -z "$why" ] && ! grep -q "SRTP Extension negotiated, profile=$p" "$theirs" &&
		why="openssl did not negotiate $p"
	[ -z "$why" ] && [ ${#mine} != $((2 * LEN[$p])) ] && why="our material is ${#mine} hex digits"
	[ -z "$why" ] && [ "$mine" != "$others" ] && why="keying material differs"
	[ -z "$why" ] && grep -q "verify error" "$theirs" && why="openssl rejected our certificate"
	if [ -z "$why" ]; then
		echo "# $name: $(grep -io 'Cipher is [^ ]*' "$theirs" | head -n 1), material ${mine:0:16}... equal"
		ok "$name"
	else
		echo "# $name: $why"
		diag < "$ours"
		grep -vE '^(-----|[A-Za-z0-9+/=]{64}$)' "$theirs" | tail -n 25 | diag
		not_ok "$name"
	fi
}

# Our engine is the DTLS client; openssl s_server (mutual auth, -Verify).
interop_client() {	# name profile-ours profile-theirs cert key fp-hash expect
	local name=$1 pours=$2 ptheirs=$3 cert=$4 key=$5 hash=$6 expect=$7 rc fp
	local ours=$W/$name.ours theirs=$W/$name.openssl
	local cport=$PORT sport=$((PORT + 1))
	PORT=$((PORT + 2))
	fp=$(fp_of "$cert" "$hash")
	[ "$expect" = mismatch ] && fp=$(fp_of "$W/ccert.pem" "$hash")
	"$IO" --role client --port "$cport" --peer "$sport" --profiles "$pours" \
		--peer-fp "$fp" --write-cert "$W/$name.pem" --retransmit 100 \
		--timeout 6000 > "$ours" 2>&1 &
	local pid=$!
	if ! wait_file "$W/$name.pem"; then
		kill "$pid" 2> /dev/null; wait "$pid"
		not_ok "$name (our certificate was not written)"
		return
	fi
	ossl_start "$theirs" s_server -dtls1_2 -accept "127.0.0.1:$sport" \
		-cert "$cert" -key "$key" -use_srtp "$ptheirs" \
		-keymatexport EXTRACTOR-dtls_srtp -keymatexportlen "${LEN[$ptheirs]}" \
		-Verify 1 -verify_return_error -CAfile "$W/$name.pem"
	wait "$pid"
	rc=$?
	[ "$expect" = ok ] && wait_file "$theirs" "Keying material" 30
	ossl_stop
	case $expect in
	ok)	compare "$name" "$ours" "$theirs" "$ptheirs" "$rc" ;;
	*)	if [ "$rc" != 0 ] && grep -q "state=failed error=.*$8" "$ours"; then
			echo "# $name: $(grep -o 'error=.*' "$ours")"
			ok "$name"
		else
			echo "# $name: expected a failure with \"$8\" (rc $rc)"
			diag < "$ours"
			tail -n 10 "$theirs" | diag
			not_ok "$name"
		fi ;;
	esac
}

# Our engine is the DTLS server (stateless cookie via dtls_listen, fingerprint
# learnt after the handshake); openssl s_client verifies our certificate.
interop_server() {	# name profile-client with-client-cert expect [reason]
	local name=$1 p=$2 ccert=$3 expect=$4 rc
	local ours=$W/$name.ours theirs=$W/$name.openssl sport=$PORT
	local certargs=()
	PORT=$((PORT + 2))
	[ "$ccert" = yes ] && certargs=(-cert "$W/ccert.pem" -key "$W/ckey.pem")
	"$IO" --role server --port "$sport" --peer-fp "$(fp_of "$W/ccert.pem" sha256)" \
		--write-cert "$W/$name.pem" --timeout 6000 > "$ours" 2>&1 &
	local pid=$!
	if ! wait_file "$W/$name.pem"; then
		kill "$pid" 2> /dev/null; wait "$pid"
		not_ok "$name (our certificate was not written)"
		return
	fi
	ossl_start "$theirs" s_client -dtls1_2 -connect "127.0.0.1:$sport" \
		"${certargs[@]}" -use_srtp "$p" \
		-keymatexport EXTRACTOR-dtls_srtp -keymatexportlen "${LEN[$p]}" \
		-verify 1 -verify_return_error -CAfile "$W/$name.pem"
	wait "$pid"
	rc=$?
	[ "$expect" = ok ] && wait_file "$theirs" "Keying material" 30
	ossl_stop
	if [ "$expect" = ok ]; then
		compare "$name" "$ours" "$theirs" "$p" "$rc"
		grep -q "Verify return code: 0 (ok)" "$theirs" ||
			echo "# $name: note: s_client did not report 'Verify return code: 0'"
	elif [ "$rc" != 0 ] && grep -q "state=failed error=.*$5" "$ours"; then
		echo "# $name: $(grep -o 'error=.*' "$ours")"
		ok "$name"
	else
		echo "# $name: expected a failure with \"$5\" (rc $rc)"
		diag < "$ours"
		tail -n 10 "$theirs" | diag
		not_ok "$name"
	fi
}

if [ $unit_built = 0 ]; then
	for p in $PROFILES; do not_ok "interop client $p (no build)"; not_ok "interop server $p (no build)"; done
elif ! command -v "$OPENSSL" > /dev/null || ! "$OPENSSL" list -cipher-commands > /dev/null 2>&1; then
	for p in $PROFILES; do skip "interop client $p" "no openssl CLI"; skip "interop server $p" "no openssl CLI"; done
else
	echo "# dtls: interop with $("$OPENSSL" version) over 127.0.0.1, ports from $PORT"
	gen() { "$OPENSSL" req -x509 -newkey "$1" ${2:+-pkeyopt "$2"} -nodes -days 2 \
		-keyout "$W/$3key.pem" -out "$W/$3cert.pem" -subj "/CN=openssl-$3" > /dev/null 2>&1; }
	gen ec ec_paramgen_curve:prime256v1 s && gen ec ec_paramgen_curve:prime256v1 c &&
		gen rsa:2048 "" r || echo "# dtls: openssl req failed"
	# engine as client: one fingerprint hash per profile, RSA for one
	interop_client "interop client SRTP_AES128_CM_SHA1_80" SRTP_AES128_CM_SHA1_80 \
		SRTP_AES128_CM_SHA1_80 "$W/scert.pem" "$W/skey.pem" sha256 ok
	interop_client "interop client SRTP_AES128_CM_SHA1_32" SRTP_AES128_CM_SHA1_32 \
		SRTP_AES128_CM_SHA1_32 "$W/scert.pem" "$W/skey.pem" sha1 ok
	interop_client "interop client SRTP_AEAD_AES_128_GCM" \
		SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM SRTP_AEAD_AES_128_GCM \
		"$W/scert.pem" "$W/skey.pem" sha384 ok
	interop_client "interop client SRTP_AEAD_AES_256_GCM (RSA server)" \
		SRTP_AEAD_AES_256_GCM SRTP_AEAD_AES_256_GCM "$W/rcert.pem" "$W/rkey.pem" sha512 ok
	# engine as server: the client's profile decides
	for p in $PROFILES; do
		interop_server "interop server $p" "$p" yes ok
	done
	# failures must be clear
	interop_client "interop client detects a fingerprint mismatch" SRTP_AES128_CM_SHA1_80 \
		SRTP_AES128_CM_SHA1_80 "$W/scert.pem" "$W/skey.pem" sha256 mismatch \
		"fingerprint mismatch"
	interop_client "interop client: no SRTP profile in common" SRTP_AES128_CM_SHA1_80 \
		SRTP_AEAD_AES_128_GCM "$W/scert.pem" "$W/skey.pem" sha256 fail \
		"no SRTP profile in common"
	interop_server "interop server requires a client certificate" \
		SRTP_AES128_CM_SHA1_80 no fail "certificate"
fi
echo "# dtls: interop done at $((SECONDS - START)) s"

# ---------------------------------------------------------------- 3. fuzzers

read -r -a fuzzers <<< "$(mk list-fuzz)"
echo "# dtls: building fuzzers"
fuzz_built=1
if ! mk fuzz > "$BUILD/build-fuzz.log" 2>&1; then
	fuzz_built=0
	if ! command -v "${CLANG:-clang}" > /dev/null; then
		for f in "${fuzzers[@]}"; do
			skip "$f" "clang not installed (apt-get install clang libclang-rt-14-dev)"
		done
		fuzzers=()
	else
		diag < "$BUILD/build-fuzz.log"
	fi
fi

if [ "$FUZZ_SECONDS" = 0 ]; then
	echo "# dtls: fuzzers replay their seed corpus only (FUZZ_SECONDS=0)"
else
	echo "# dtls: running ${#fuzzers[@]} fuzzers for $FUZZ_SECONDS s each, in parallel"
fi

[ $fuzz_built = 1 ] && fuzz_start "${fuzzers[@]}"
for f in "${fuzzers[@]}"; do
	if [ $fuzz_built = 0 ]; then
		not_ok "$f # build failed"
	elif fuzz_wait "$f"; then
		ok "$f"
	else
		not_ok "$f"
	fi
done

echo "1..$N"
echo "# dtls: $((N - FAILED)) of $N passed in $((SECONDS - START)) s"
[ "$FAILED" = 0 ]
