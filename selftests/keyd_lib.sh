# SPDX-License-Identifier: GPL-2.0
#
# Shared by the ksrtp-keyd VM tests (keyd_sdes.sh, keyd_dtls.sh): two network
# namespaces joined by a veth pair, a keyd and a keyd_app (a tiny media
# server) in each, and the helpers that drive them. Source after lib.sh,
# with KEYD_TEST naming the test (its scratch directory).

NS1=kd-a
NS2=kd-b
IP1=10.99.1.1
IP2=10.99.1.2
IP3=10.99.1.3		# a second address in $NS2: a third party (keyd C, app C)
PORT=40000
D=$(mktemp -d "/tmp/${KEYD_TEST:-keyd}.XXXXXX")
KEYD_A='' KEYD_B='' KEYD_C='' APP_A='' APP_B='' APP_C='' SID_A=''
PEER_PIDS=''	# a test's other processes, killed with the keyds and apps



cleanup() {
	exec 7>&- 8>&- 9>&- 5<&- 6<&- 4<&- 2>/dev/null
	for p in $PEER_PIDS $APP_A $APP_B $APP_C $KEYD_A $KEYD_B $KEYD_C; do
		kill "$p" 2>/dev/null
	done
	sleep 0.3
	for p in $PEER_PIDS $APP_A $APP_B $APP_C $KEYD_A $KEYD_B $KEYD_C; do
		kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	ip netns del $NS1 2>/dev/null
	ip netns del $NS2 2>/dev/null
	if [ "$KSFT_FAIL" != 0 ]; then
		for f in "$D"/*.log "$D"/*.err; do
			[ -s "$f" ] || continue
			echo "# ---- $f (last 25 lines)"
			tail -n 25 "$f" | sed 's/^/#   /'
		done
	fi
	rm -rf "$D"
}
trap cleanup EXIT
trap '' PIPE		# a dead app must fail a step, not kill the script

# step NAME FUNC ARGS...: one test point. Unlike lib.sh's check, the function
# runs in this shell: the apps' fds and the command counters must persist.
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

# ------------------------------------------------------------ helpers

# keyd_start A|B|C: a keyd in that side's namespace (C: $NS2 too); its own
# socket and state.
keyd_start() {
	ns=$NS1
	[ "$1" = A ] || ns=$NS2
	ip netns exec $ns "$BIN/ksrtp-keyd" -f -c "$D/keyd.conf" -s "$D/keyd-$1.sock" \
		-d "$D/state-$1" >> "$D/keyd-$1.log" 2>&1 &
	eval "KEYD_$1=$!"
	i=0
	until "$BIN/ksrtp-keydctl" -s "$D/keyd-$1.sock" -t 2 ping > /dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.1
	done
}

# app_start A|B|C: the media app. Commands go to fd 7 (A), 8 (B) or 9 (C)
# and answers come back on fd 5 (A), 6 (B) or 4 (C), all FIFOs: `read`
# needs no fork. C lives in $NS2 on $IP3 and talks to A.
app_start() {
	case $1 in
	A) ns=$NS1 l=$IP1 p=$IP2 ;;
	B) ns=$NS2 l=$IP2 p=$IP1 ;;
	*) ns=$NS2 l=$IP3 p=$IP1 ;;
	esac
	mkfifo "$D/app-$1.in" "$D/app-$1.out"
	ip netns exec $ns "$BIN/keyd_app" -n "$1" -s "$D/keyd-$1.sock" -l $l:$PORT -p $p:$PORT \
		< "$D/app-$1.in" > "$D/app-$1.out" 2> "$D/app-$1.err" &
	eval "APP_$1=$!"
	case $1 in
	A) exec 7> "$D/app-A.in" 5< "$D/app-A.out" ;;
	B) exec 8> "$D/app-B.in" 6< "$D/app-B.out" ;;
	*) exec 9> "$D/app-C.in" 4< "$D/app-C.out" ;;
	esac
}

# app A|B COMMAND...: run one app command; its answer (without "ok ") in $R.
app() {
	who=$1
	shift
	case $who in
	A) echo "$*" >&7 && read -r R <&5 ;;
	B) echo "$*" >&8 && read -r R <&6 ;;
	*) echo "$*" >&9 && read -r R <&4 ;;
	esac || { echo "# app $who: no answer to '$*' (app gone?)"; R=; return 1; }
	case $R in
	ok*) R=${R#ok }; return 0 ;;
	*) echo "# app $who: $* -> $R" | cut -c1-300; return 1 ;;
	esac
}

# field NAME "k=v k=v": the value of NAME in $F, without forking
field() {
	F=${2#*"$1="}
	[ "$F" != "$2" ] || { F=; return 1; }
	F=${F%% *}
}

# offer/answer: OFFERER ANSWERER; the answerer applies the offer, answers.
negotiate() {
	app "$1" local || return 1
	offer=$R
	app "$2" remote "$offer" || return 1
	app "$2" local || return 1
	answer=$R
	app "$1" remote "$answer" || return 1
}

json_get() {	# json_get KEY: first "KEY":value in $R
	echo "$R" | sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1
}
