#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Removing the module, deleting a namespace and killing the owner while
# SRTP flows both ways: each must clean up (the VM harness fails the run on
# any kernel splat) and leave ksrtp usable.
. "$(dirname "$0")/lib.sh"

KO=${KSRTP_KO:?KSRTP_KO must name the ksrtp.ko to test}
ktap_plan 4

rmmod_while_flowing() {
	"$BIN/ksrtp_flood" 4 > /tmp/flood.out 2>&1 &
	pid=$!
	sleep 2
	grep -q running /tmp/flood.out || return 1
	rmmod ksrtp || return 1
	wait $pid || return 1
	insmod "$KO" && "$BIN/ksrtpctl" info > /dev/null
}

netns_delete_while_flowing() {
	ip netns add ksrtp-lc || return 1
	ip netns exec ksrtp-lc sh -c "ip link set lo up; exec \"$BIN/ksrtp_flood\" 30" \
		> /tmp/flood.out 2>&1 &
	pid=$!
	sleep 2
	grep -q running /tmp/flood.out || return 1
	kill -9 $pid
	wait $pid
	ip netns del ksrtp-lc
}

kill_while_flowing() {
	"$BIN/ksrtp_flood" 30 > /tmp/flood.out 2>&1 &
	pid=$!
	sleep 2
	grep -q running /tmp/flood.out || return 1
	kill -9 $pid
	wait $pid
	# every socket went with its owner
	[ -z "$("$BIN/ksrtpctl" show)" ]
}

nothing_left_behind() {
	sleep 1
	[ "$(cat /sys/module/ksrtp/refcnt)" = 0 ] && rmmod ksrtp && insmod "$KO"
}

check "rmmod_while_flowing" rmmod_while_flowing
check "netns_delete_while_flowing" netns_delete_while_flowing
check "kill_while_flowing" kill_while_flowing
check "nothing_left_behind" nothing_left_behind
ktap_finish
