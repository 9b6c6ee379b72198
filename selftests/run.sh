#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run every ksrtp selftest (KTAP output) with ksrtp.ko already loaded; in the
# test VM or, with `make check HOST=1`, on a host that can load modules.
#   selftests/run.sh [TEST...]	(KSFT_SKIP="T,T...": leave those out; commas, as
#   scripts/vm.sh passes the guest its command as one line of words)
# The whole script is parsed before it runs: editing it meanwhile is safe.
{
cd "$(dirname "$0")/.." || exit 1
export BIN=$PWD/build/bin
TESTS=${*:-"ksrtp_genl ksrtp_kat ksrtp_kdr ksrtp_datapath ksrtp_robust ksrtp_lifetime ksrtp_regress ksrtp_rxfuzz ksrtp_ssrc_flood ksrtp_teardown ksrtp_rekey_reorder ksrtp_relay ksrtp_genl_fuzz ksrtp_userns module_reload.sh lifecycle.sh ksrtpctl.sh bench_smoke.sh keyd_sdes.sh keyd_dtls.sh keyd_dtls_early.sh keyd_dtls_openssl.sh keyd_bridge.sh keyd_attack.sh keyd_baresip.sh keyd_mikey.sh keyd_mikey_pki.sh keyd_zrtp.sh keyd_zrtp_keyd.sh keyd_linphone.sh webrtc.sh keyd_metrics.sh crypto_async.sh ynl.sh"}
TIMEOUT=${KSFT_TIMEOUT:-600}
rc=0
for t in $TESTS; do
	# KSFT_SKIP: tests make check runs on one kernel only (scripts/check.sh)
	case ",${KSFT_SKIP:-}," in
	*",$t,"*) echo "# selftest: $t not run here (KSFT_SKIP: it runs on the newest kernel)"
		continue ;;
	esac
	case $t in
	*.sh) cmd="sh selftests/$t" ;;
	*) cmd="$BIN/$t" ;;
	esac
	echo "# selftest: $t"
	out=$(mktemp)
	t0=$(date +%s)
	timeout "$TIMEOUT" $cmd > "$out" 2>&1
	trc=$?
	cat "$out"
	# where make check's time goes (kept in check.sh's logs)
	echo "# selftest: $t took $(($(date +%s) - t0)) s"
	# the plan must match what ran: a test that stops early fails, exit 0 or not
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$out" | head -n1)
	ran=$(grep -cE '^(not )?ok [0-9]+' "$out")
	if [ $trc != 0 ]; then
		rc=1
		grep -q '^not ok ' "$out" ||
			echo "not ok $((ran + 1)) $t # exited $trc$( [ $trc = 124 ] && echo ' (timeout)')"
	elif [ -z "$plan" ]; then
		rc=1
		echo "not ok $((ran + 1)) $t # printed no KTAP plan"
	elif [ "$plan" != "$ran" ]; then
		rc=1
		echo "not ok $((ran + 1)) $t # planned $plan, ran $ran"
	fi
	rm -f "$out"
done
exit $rc
}
