#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: boot one VM on a Debian kernel (scripts/vm.sh, which loads
# ksrtp.ko), load bench/ksrtp_cryptobench.ko and run build/bin/ksrtp_bench:
# every contender back to back in that one boot. Writes
# build/bench/results-<kver>.txt (the table) and .json (everything); then,
# in the same boot, build/bin/ksrtp_relay_bench (the relay, issue #14) into
# build/bench/relay-<kver>.{txt,json}; then build/bin/ksrtp_rte_bench, the
# relay against rtpengine's kernel forwarding (bench/rtpengine_bench.sh
# starts rtpengine in the guest), into build/bench/rtpengine-<kver>.{txt,json}.
#
#   scripts/bench.sh [--kver VERSION] [--icount] [--profile] [--no-rtpengine]
#                    [ksrtp_bench options...]
#
# ksrtp_bench options: --rounds N (15), --ms MS (200), --scale N,N,...
# (1,1000,100000), --scale-suite cm|gcm, --mem-n N, --filter SUBSTRING.
# Both programs get them (the relay one ignores what is not its own); its
# contenders are all named relay-*, so --filter relay runs the relay alone.
# --relay-scale N,N,... and --fanout N,N,... go to the relay program only.
# --no-rtpengine: leave rtpengine out (its program still runs ksrtp's side
# and prints a skip line). xt_RTPENGINE.ko is built for the kernel first
# (make rte-module; a kernel it does not build for gets a skip line too).
# --icount: a deterministic pass: one vCPU, TCG with -icount shift=0, so
# guest time counts guest instructions (1 ns each), not host time. Immune
# to a busy host; weighs instructions, not cycles (see benchmarks.md).
# Results go to results-<kver>-icount.{txt,json}.
# --profile: afterwards, in the same boot, record perf profiles (CPU 0, call
# graphs) of a few contenders run alone for 3 s each, into
# build/bench/profile-<kver>-<contender>.txt (self and inclusive time).
# Build first: make modules-all user selftests bench-build (`make bench`
# does). VM_MEM (vm.sh, default 2G) sizes the guest.
set -uo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC" || exit 1
KVER=
PROFILE=
ICOUNT=
NO_RTE=
ARGS=()
RARGS=()
while [ $# -gt 0 ]; do
	case $1 in
	--kver) KVER=$2; shift 2 ;;
	--profile) PROFILE=1; shift ;;
	--icount) ICOUNT=1; shift ;;
	--no-rtpengine) NO_RTE=1; shift ;;
	--relay-scale|--fanout) RARGS+=("$1" "$2"); shift 2 ;;
	*) ARGS+=("$1"); shift ;;
	esac
done
if [ -z "$KVER" ]; then
	KVER=$(ls -d /lib/modules/*/build/Makefile 2>/dev/null |
	       sed 's,/lib/modules/\([^/]*\)/build/Makefile,\1,' | sort -V | tail -n1)
fi
[ -n "$KVER" ] || { echo "bench: no kernel with headers installed" >&2; exit 2; }

for f in build/bin/ksrtp_bench build/bin/ksrtp_relay_bench "build/mod/$KVER/ksrtp.ko" \
	 "build/mod/$KVER/bench/ksrtp_cryptobench.ko"; do
	[ -e "$f" ] || { echo "bench: $f missing: run 'make bench KVER=$KVER'" >&2; exit 2; }
done
if [ -n "$PROFILE" ] && ! command -v perf > /dev/null; then
	echo "bench: --profile needs perf (apt-get install linux-perf)" >&2
	exit 2
fi

OUT=build/bench
mkdir -p "$OUT"
TAG=$KVER${ICOUNT:+-icount}
TXT=$OUT/results-$TAG.txt
JSON=$OUT/results-$TAG.json
RTXT=$OUT/relay-$TAG.txt
RJSON=$OUT/relay-$TAG.json
ETXT=$OUT/rtpengine-$TAG.txt
EJSON=$OUT/rtpengine-$TAG.json
rm -f "$TXT" "$JSON" "$RTXT" "$RJSON" "$ETXT" "$EJSON"
[ -x build/bin/ksrtp_rte_bench ] ||
	echo "bench: build/bin/ksrtp_rte_bench missing: no rtpengine comparison (make bench)" >&2

# The guest's side, run from the project root. It tells TCG from KVM by the
# paravirtual clock. (Single quotes: expanded in the guest, not here.)
# shellcheck disable=SC2016,SC1003
{
	echo "accel=tcg${ICOUNT:+-icount}"
	echo 'grep -qs kvm-clock /sys/devices/system/clocksource/clocksource0/available_clocksource && accel=kvm'
	echo "insmod build/mod/$KVER/bench/ksrtp_cryptobench.ko || exit 3"
	echo "build/bin/ksrtp_bench --accel \"\$accel\" --date $(date -u +%Y-%m-%dT%H:%M:%SZ) --json $JSON ${ARGS[*]:-} > $TXT"
	echo 'rc=$?'
	echo "cat $TXT"
	echo "build/bin/ksrtp_relay_bench --accel \"\$accel\" --date $(date -u +%Y-%m-%dT%H:%M:%SZ) --json $RJSON ${ARGS[*]:-} ${RARGS[*]:-} > $RTXT"
	echo 'rrc=$?; [ $rc = 0 ] && rc=$rrc'
	echo "cat $RTXT"
	if [ -x build/bin/ksrtp_rte_bench ]; then
		if [ -n "$NO_RTE" ]; then
			echo "build/bin/ksrtp_rte_bench --skip-rtpengine 'left out (--no-rtpengine)' \\"
		else
			echo "sh bench/rtpengine_bench.sh --kver $KVER --txt $ETXT \\"
		fi
		echo "	--accel \"\$accel\" --date $(date -u +%Y-%m-%dT%H:%M:%SZ) --json $EJSON ${ARGS[*]:-}${NO_RTE:+ > $ETXT}"
		echo 'erc=$?; [ $rc = 0 ] && rc=$erc'
		echo "cat $ETXT"
	fi
	if [ -n "$PROFILE" ]; then
		echo "for c in ksrtp-gcm/172/single ksrtp-cm/172/single udp/172/single ksrtp-gcm/1212/single; do"
		echo "	out=$OUT/profile-$TAG-\$(echo \$c | tr / _).txt"
		echo '	perf record -q -C 0 -g -o /tmp/perf.data -- build/bin/ksrtp_bench --filter $c \'
		echo '		--no-raw --rounds 1 --ms 3000 --warmup-ms 10 > /dev/null 2>&1'
		echo '	{ echo "# $c: CPU 0, self time"'
		echo '	  perf report -i /tmp/perf.data --stdio --no-children --sort sym -g none \'
		echo '		--percent-limit 0.4 2> /dev/null | grep -v "^#" | grep -v "^$"'
		echo '	  echo "# $c: CPU 0, inclusive time"'
		echo '	  perf report -i /tmp/perf.data --stdio --children --sort sym -g none \'
		echo '		--percent-limit 2 2> /dev/null | grep -v "^#" | grep -v "^$"'
		echo '	} > $out'
		echo '	echo "bench: profile in $out"'
		echo 'done'
	fi
	echo 'rmmod ksrtp_cryptobench'
	echo 'exit $rc'
} > "$OUT/guest-$TAG.sh"

if [ -n "$ICOUNT" ]; then
	# vm.sh runs qemu-system-x86_64 from PATH: a wrapper swaps its
	# multi-threaded TCG for single-threaded TCG with instruction counting.
	wrap=$OUT/qemu-icount
	mkdir -p "$wrap"
	real=$(command -v qemu-system-x86_64) ||
		{ echo "bench: qemu-system-x86_64 missing" >&2; exit 2; }
	cat > "$wrap/qemu-system-x86_64" <<EOF
#!/bin/sh
# generated by scripts/bench.sh --icount
for a in "\$@"; do
	shift
	case \$a in
	tcg,thread=multi) set -- "\$@" tcg,thread=single -icount shift=0,sleep=off ;;
	*) set -- "\$@" "\$a" ;;
	esac
done
exec $real "\$@"
EOF
	chmod +x "$wrap/qemu-system-x86_64"
	PATH=$SRC/$wrap:$PATH VM_ACCEL=tcg VM_SMP=1 \
		"$SRC/scripts/vm.sh" --kver "$KVER" -- sh "$OUT/guest-$TAG.sh"
	rc=$?
else
	"$SRC/scripts/vm.sh" --kver "$KVER" -- sh "$OUT/guest-$TAG.sh"
	rc=$?
fi
if [ -s "$ETXT" ]; then
	echo "bench: ksrtp relay / rtpengine kernel forwarding (issue #14 target >= 1.2x):"
	grep -E '^  (MET|MISS|n/a) |rtpengine: SKIP|^  replay: ' "$ETXT"
fi
if [ -s "$JSON" ]; then
	echo "bench: results in $TXT and $JSON, relay in $RTXT and $RJSON${EJSON:+, rtpengine in $ETXT and $EJSON}"
else
	echo "bench: no results (exit $rc)" >&2
	[ "$rc" = 0 ] && rc=1
fi
exit "$rc"
