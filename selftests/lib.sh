# SPDX-License-Identifier: GPL-2.0
# KTAP helpers for the ksrtp shell selftests.
KSFT_N=0
KSFT_FAIL=0
BIN=${BIN:-$(cd "$(dirname "$0")/.." && pwd)/build/bin}

ktap_plan() { echo "TAP version 13"; echo "1..$1"; }
ktap_ok() { KSFT_N=$((KSFT_N + 1)); echo "ok $KSFT_N $*"; }
ktap_fail() { KSFT_N=$((KSFT_N + 1)); KSFT_FAIL=$((KSFT_FAIL + 1)); echo "not ok $KSFT_N $*"; }
ktap_skip() { KSFT_N=$((KSFT_N + 1)); echo "ok $KSFT_N $1 # SKIP ${2:-}"; }
# check NAME CMD...: one test point from a command's exit status
check() {
	name=$1; shift
	if out=$("$@" 2>&1); then
		ktap_ok "$name"
	else
		echo "$out" | sed 's/^/# /'
		ktap_fail "$name"
	fi
}
# step NAME FUNC ARGS...: one test point. Unlike check, FUNC runs in this
# shell: the pids, fds and counters it sets persist. Its output goes through
# the test's scratch directory $D and is printed as comments, with its time.
step() {
	name=$1
	shift
	t0=$(date +%s)
	"$@" > "$D/step.out" 2>&1
	rc=$?
	sed 's/^\(# \)\{0,1\}/# /' "$D/step.out"
	echo "# ($(($(date +%s) - t0)) s)"
	if [ $rc = 0 ]; then ktap_ok "$name"; else ktap_fail "$name"; fi
}
# newest_step NAME FUNC ARGS...: a step that checks keyd's own logic (refusals,
# its caches), not the kernel's: scripts/check.sh runs it on the newest
# kernel only (KSFT_NOT_NEWEST set on the others); a skip there.
newest_step() {
	if [ -n "${KSFT_NOT_NEWEST:-}" ]; then
		ktap_skip "$1" "keyd's own logic: checked on the newest kernel"
	else
		step "$@"
	fi
}
# dump_logs [NOISE]: after a failed point, the end of each log in $D (less
# lines matching the grep pattern NOISE), "WARNING:" lowered: the VM
# harness would take it for a kernel splat
dump_logs() {
	[ "$KSFT_FAIL" != 0 ] || return 0
	for f in "$D"/*.log "$D"/*.err; do
		[ -s "$f" ] || continue
		echo "# ---- $f (last 25 lines)"
		if [ -n "${1:-}" ]; then grep -v -i "$1" "$f"; else cat "$f"; fi |
			tail -n 25 | cut -c1-300 | sed -e 's/WARNING:/warning:/g' -e 's/^/#   /'
	done
}
ktap_finish() { [ "$KSFT_FAIL" = 0 ]; exit $?; }
