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
ktap_finish() { [ "$KSFT_FAIL" = 0 ]; exit $?; }
