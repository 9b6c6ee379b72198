# SPDX-License-Identifier: GPL-2.0
#
# Shared by the two parts of `make demo` that run in the VM (demo-guest.sh,
# demo-keyd.sh): output, waiting, cleanup and the alice/bob namespaces. The
# caller sets W (its scratch directory) and adds its background pids to PIDS.

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# fail MESSAGE: say so, show the tails of the scratch logs, exit 1
fail() {
	printf '\n\033[1;31mdemo FAILED: %s\033[0m\n' "$*" >&2
	for f in "$W"/*.log "$W"/*.err; do
		[ -s "$f" ] && { echo "-- $(basename "$f")" >&2; tail -n 15 "$f" >&2; }
	done
	exit 1
}

# wait_line FILE REGEX SECONDS
wait_line() {
	i=$(($3 * 10))
	until grep -Eq "$2" "$1" 2>/dev/null; do
		i=$((i - 1))
		[ $i -gt 0 ] || { tail -n 20 "$1" >&2 2>/dev/null; fail "no '$2' in $(basename "$1")"; }
		sleep 0.1
	done
}

cleanup() {
	set +e
	exec 7>&- 8>&- 5<&- 6<&- 2>/dev/null
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del alice 2>/dev/null
	ip netns del bob 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# netns_pair ALICE_IP BOB_IP: namespaces alice and bob, one veth pair (/24)
netns_pair() {
	for n in alice bob; do ip netns add $n; ip -n $n link set lo up; done
	ip link add veth-alice netns alice type veth peer name veth-bob netns bob
	ip -n alice addr add "$1/24" dev veth-alice
	ip -n bob addr add "$2/24" dev veth-bob
	ip -n alice link set veth-alice up
	ip -n bob link set veth-bob up
}
