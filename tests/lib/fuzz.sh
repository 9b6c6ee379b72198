# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Running a native suite's libFuzzer targets, sourced by tests/lib/suite.sh
# and tests/dtls/run.sh (which print their results differently). Needs
# HERE, BUILD, FUZZ_SECONDS (0 = only replay the seed corpus) and diag.

declare -A fuzz_pid

# fuzz_start NAME...: start each fuzzer in the background on a copy of its
# seed corpus (HERE/corpus/NAME), in BUILD/fuzz/NAME.
fuzz_start() {
	local f work limit=(-max_total_time="$FUZZ_SECONDS")

	[ "$FUZZ_SECONDS" = 0 ] && limit=(-runs=0)
	for f in "$@"; do
		work=$BUILD/fuzz/$f
		rm -rf "$work"
		mkdir -p "$work/corpus" "$work/artifacts"
		if [ -d "$HERE/corpus/$f" ]; then
			cp -R "$HERE/corpus/$f/." "$work/corpus/"
		fi
		(cd "$work" && exec "$BUILD/$f" "${limit[@]}" -timeout=10 \
			-rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix="$work/artifacts/" corpus > "$work/log" 2>&1) &
		fuzz_pid[$f]=$!
	done
}

# fuzz_wait NAME: wait for it and describe the run (diagnostics); succeeds
# if it exited cleanly and left no crash reproducer.
fuzz_wait() {
	local f=$1 work=$BUILD/fuzz/$1 st runs cov crashes

	wait "${fuzz_pid[$f]}"
	st=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
	cov=$(grep -E '^#[0-9]+' "$work/log" | tail -n 1 |
	      grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' || true)
	crashes=$(find "$work/artifacts" -type f | wc -l)
	if [ "$st" = 0 ] && [ "$crashes" = 0 ]; then
		echo "# $f: ${runs:-?} runs${cov:+, $cov}"
		return 0
	fi
	echo "# $f: exit status $st, ${runs:-?} runs; log $work/log"
	tail -n 40 "$work/log" | diag
	find "$work/artifacts" -type f | sed 's/^/# reproducer: /'
	return 1
}
