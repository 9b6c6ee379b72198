# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The body of a native test suite's run.sh (tests/native, tests/keyd): build
# with the suite's Makefile, run every unit test binary, then each libFuzzer
# target for FUZZ_SECONDS (0 = only replay the seed corpus) over a copy of
# its seeds in the build directory. KTAP: result lines at column 0,
# everything else prefixed with "# ". Exits non-zero if anything failed.
#
# The caller sets HERE (its directory), SUITE (a name for messages),
# SUITE_BUILD (its directory under build/) and SUITE_FUZZ_SECONDS.
set -u -o pipefail

ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$ROOT/build/$SUITE_BUILD}
FUZZ_SECONDS=${FUZZ_SECONDS:-$SUITE_FUZZ_SECONDS}
MAKE=${MAKE:-make}
case $FUZZ_SECONDS in
''|*[!0-9]*) echo "# FUZZ_SECONDS must be a number of seconds" >&2; exit 2 ;;
esac
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
mkdir -p "$BUILD"
rc=0

diag() { sed 's/^/# /'; }
# shellcheck source=../lib/fuzz.sh
. "$HERE/../lib/fuzz.sh"

# KTAP lines and diagnostics pass through; anything else gets "# ".
ktap_filter() {
	awk '/^(TAP version [0-9]+|[0-9]+\.\.[0-9]+|(not )?ok [0-9]+( |$)|#)/ {
		print; fflush(); next }
	{ print "# " $0; fflush() }'
}

mk() { "$MAKE" --no-print-directory -s -C "$HERE" BUILD="$BUILD" "$@"; }

# ---- unit tests ----

echo "# $SUITE: building unit tests in $BUILD"
if ! mk unit > "$BUILD/build-unit.log" 2>&1; then
	diag < "$BUILD/build-unit.log"
	printf 'TAP version 13\n1..1\nnot ok 1 %s unit test build\n' "$SUITE"
	exit 1
fi
read -r -a units <<< "$(mk list-units)"

for t in "${units[@]}"; do
	log=$BUILD/$t.log
	echo "# $SUITE: $t"
	"$BUILD/$t" 2>&1 | ktap_filter | tee "$log"
	st=${PIPESTATUS[0]}
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$log" | head -n 1)
	done_=$(grep -cE '^(not )?ok [0-9]+ ' "$log")
	[ "$st" = 0 ] || rc=1
	# a crash (sanitizer abort) leaves the plan unfinished: say so
	if [ "$st" != 0 ] && ! grep -qE '^not ok ' "$log" ||
	   [ "${plan:-0}" != "$done_" ]; then
		echo "not ok $((done_ + 1)) $t: exited with status $st after $done_ of ${plan:-?} tests"
		rc=1
	fi
done

# ---- fuzzers ----

read -r -a fuzzers <<< "$(mk list-fuzz)"
echo "# $SUITE: building fuzzers"
printf 'TAP version 13\n1..%d\n' "${#fuzzers[@]}"
fuzz_built=1
if ! mk fuzz > "$BUILD/build-fuzz.log" 2>&1; then
	fuzz_built=0
	if ! command -v "${CLANG:-clang}" > /dev/null; then
		n=0
		for f in "${fuzzers[@]}"; do
			n=$((n + 1))
			echo "ok $n $f # SKIP clang not installed (apt-get install clang libclang-rt-14-dev)"
		done
		exit $rc
	fi
	diag < "$BUILD/build-fuzz.log"
fi

if [ "$FUZZ_SECONDS" = 0 ]; then
	echo "# $SUITE: fuzzers replay their seed corpus only (FUZZ_SECONDS=0)"
else
	echo "# $SUITE: running ${#fuzzers[@]} fuzzers for $FUZZ_SECONDS s each, in parallel"
fi

[ $fuzz_built = 1 ] && fuzz_start "${fuzzers[@]}"
n=0
for f in "${fuzzers[@]}"; do
	n=$((n + 1))
	if [ $fuzz_built = 0 ]; then
		echo "not ok $n $f # build failed"
		rc=1
	elif fuzz_wait "$f"; then
		echo "ok $n $f"
	else
		echo "not ok $n $f"
		rc=1
	fi
done

exit $rc
