#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the bench VM (scripts/bench.sh's guest script, after ksrtp_relay_bench):
# start rtpengine with kernel forwarding, run build/bin/ksrtp_rte_bench
# (ksrtp's relay against rtpengine's kernel forwarding of the same stream),
# and take rtpengine down again.
#
#   sh bench/rtpengine_bench.sh --kver KVER --txt FILE [ksrtp_rte_bench options...]
#
# rtpengine's side, as Debian's rtpengine-iptables-setup does it, but:
# - the iptables rule matches rtpengine's port range only (30000-30999): the
#   RTPENGINE target copies every packet it sees before looking up its
#   table, and the other contenders' packets (ephemeral ports) must not pay
#   for that; they still cross the filter table's INPUT hook;
# - the daemon runs on CPU 1 (the load runs on CPU 0, as ksrtp's contenders,
#   which have no daemon at all), with --no-fallback: kernel or nothing.
# When any step fails, ksrtp_rte_bench runs without rtpengine and prints
# the reason as rtpengine's skip line.
KVER='' TXT=''
while [ $# -gt 0 ]; do
	case $1 in
	--kver) KVER=$2; shift 2 ;;
	--txt) TXT=$2; shift 2 ;;
	*) break ;;
	esac
done
if [ -z "$KVER" ] || [ -z "$TXT" ]; then
	echo "rtpengine_bench: --kver and --txt are needed" >&2
	exit 2
fi
MOD=build/mod/$KVER/rtpengine
LOG=/tmp/rtpengine.log
IPT=iptables-legacy
command -v $IPT > /dev/null || IPT=iptables
PORTS=30000:30999
PID=
SKIP=

ipt_rules() {	# $1: -I or -D
	$IPT "$1" INPUT -p udp --dport $PORTS -j rtpengine 2>&1 &&
	$IPT "$1" rtpengine -p udp -j RTPENGINE --id 0 2>&1
}

start() {
	if [ -e "$MOD/SKIP" ]; then
		SKIP=$(cat "$MOD/SKIP")
		return
	fi
	[ -e "$MOD/xt_RTPENGINE.ko" ] || { SKIP="$MOD/xt_RTPENGINE.ko not built (make rte-module KVER=$KVER)"; return; }
	command -v rtpengine > /dev/null || { SKIP="rtpengine not installed (scripts/deps.sh: rtpengine-daemon)"; return; }
	modprobe x_tables 2> /dev/null
	out=$(insmod "$MOD/xt_RTPENGINE.ko" 2>&1) || { SKIP="insmod xt_RTPENGINE.ko on $KVER: $out"; return; }
	$IPT -N rtpengine 2> /dev/null
	out=$(ipt_rules -I) || { SKIP="$IPT: $out"; return; }
	cpu=1
	[ "$(nproc)" -gt 1 ] || cpu=0
	taskset -c $cpu rtpengine --config-file=none --foreground --log-stderr --table=0 \
		--no-fallback --interface=127.0.0.1 --listen-ng=127.0.0.1:2223 \
		--port-min=30000 --port-max=30999 --log-level=6 > $LOG 2>&1 &
	PID=$!
	# Its start-up reads ~30 libraries over 9p. Counted polls, not a
	# timeout: under --icount an idle guest's clock leaps ahead.
	n=0
	while ! grep -q 'Startup complete' $LOG && kill -0 $PID 2> /dev/null &&
	      [ $n -lt 3000 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	kill -0 $PID 2> /dev/null ||
		{ SKIP="rtpengine exited: $(tail -n 2 $LOG | tr '\n' ' ')"; PID=; }
}

stop() {
	[ -n "$PID" ] && kill $PID 2> /dev/null && wait $PID 2> /dev/null
	ipt_rules -D > /dev/null 2>&1
	$IPT -X rtpengine 2> /dev/null
	[ -e /proc/rtpengine/control ] && echo "del 0" > /proc/rtpengine/control 2> /dev/null
	grep -q '^xt_RTPENGINE ' /proc/modules && ! rmmod xt_RTPENGINE &&
		echo "rtpengine_bench: rmmod xt_RTPENGINE failed" >&2
	if grep -qE 'ERR|CRIT|ALERT' $LOG 2> /dev/null; then
		echo "rtpengine_bench: rtpengine's log had errors:" >&2
		grep -E 'ERR|CRIT|ALERT' $LOG | head -n 5 >&2
	fi
	return 0
}

start
if [ -n "$SKIP" ]; then
	echo "rtpengine_bench: SKIP rtpengine: $SKIP" >&2
	stop
	build/bin/ksrtp_rte_bench --skip-rtpengine "$SKIP" "$@" > "$TXT"
	exit $?
fi
build/bin/ksrtp_rte_bench "$@" > "$TXT"
rc=$?
if [ $rc != 0 ]; then
	echo "rtpengine_bench: ksrtp_rte_bench exited $rc; rtpengine's log ends:" >&2
	tail -n 20 $LOG >&2
fi
stop
exit $rc
