#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Removing the module, deleting a namespace and killing the owner while
# SRTP flows both ways: each must clean up (the VM harness fails the run on
# any kernel splat) and leave ksrtp usable. Then many short rounds of the
# first two (KSRTP_LIFECYCLE_ROUNDS, default 10 namespaces and 5 rmmods; the
# in-process teardown kinds run 1,000 rounds in ksrtp_teardown).
. "$(dirname "$0")/lib.sh"

KO=${KSRTP_KO:?KSRTP_KO must name the ksrtp.ko to test}
ktap_plan 6

# Wait until the flood reports it runs (30 s at most): more than the 2 s it
# was given once took on the debug kernel.
flood_running() {	# $1 = output file
	i=0
	while ! grep -q running "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 600 ] && return 1
		sleep 0.05
	done
}

rmmod_while_flowing() {
	"$BIN/ksrtp_flood" 4 > /tmp/flood.out 2>&1 &
	pid=$!
	flood_running /tmp/flood.out || { kill -9 $pid; return 1; }
	sleep 1
	rmmod ksrtp || return 1
	wait $pid || return 1
	insmod "$KO" && "$BIN/ksrtpctl" info > /dev/null
}

netns_delete_while_flowing() {
	ip netns add ksrtp-lc || return 1
	ip netns exec ksrtp-lc sh -c "ip link set lo up; exec \"$BIN/ksrtp_flood\" 30" \
		> /tmp/flood.out 2>&1 &
	pid=$!
	flood_running /tmp/flood.out || { kill -9 $pid; ip netns del ksrtp-lc; return 1; }
	sleep 1
	kill -9 $pid
	wait $pid
	ip netns del ksrtp-lc
}

kill_while_flowing() {
	"$BIN/ksrtp_flood" 30 > /tmp/flood.out 2>&1 &
	pid=$!
	flood_running /tmp/flood.out || { kill -9 $pid; return 1; }
	sleep 1
	kill -9 $pid
	wait $pid
	# every socket went with its owner
	[ -z "$("$BIN/ksrtpctl" show)" ]
}

# Many short rounds of the first two: the flood started, running for a
# moment, then its namespace deleted or the module removed under it.
ROUNDS=${KSRTP_LIFECYCLE_ROUNDS:-10}

netns_delete_rounds() {
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		ip netns add ksrtp-lc || return 1
		ip netns exec ksrtp-lc sh -c "ip link set lo up; exec \"$BIN/ksrtp_flood\" 30" \
			> /tmp/flood.out 2>&1 &
		pid=$!
		flood_running /tmp/flood.out || { kill -9 $pid; ip netns del ksrtp-lc; return 1; }
		sleep 0.1
		ip netns del ksrtp-lc || return 1
		kill -9 $pid
		wait $pid
		r=$((r + 1))
	done
	echo "# $ROUNDS namespaces deleted under traffic"
}

rmmod_rounds() {
	r=0
	while [ $r -lt $((ROUNDS / 2)) ]; do
		"$BIN/ksrtp_flood" 30 > /tmp/flood.out 2>&1 &
		pid=$!
		flood_running /tmp/flood.out || { kill -9 $pid; return 1; }
		sleep 0.1
		rmmod ksrtp || { kill -9 $pid; return 1; }
		kill -9 $pid
		wait $pid
		insmod "$KO" || return 1
		r=$((r + 1))
	done
	echo "# $((ROUNDS / 2)) rmmods under traffic"
}

nothing_left_behind() {
	sleep 1
	[ "$(cat /sys/module/ksrtp/refcnt)" = 0 ] && rmmod ksrtp && insmod "$KO"
}

check "rmmod_while_flowing" rmmod_while_flowing
check "netns_delete_while_flowing" netns_delete_while_flowing
check "kill_while_flowing" kill_while_flowing
check "netns_delete_rounds" netns_delete_rounds
check "rmmod_rounds" rmmod_rounds
check "nothing_left_behind" nothing_left_behind
ktap_finish
