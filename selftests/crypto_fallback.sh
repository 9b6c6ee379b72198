#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Both crypto paths give the RFC's bytes. ksrtp uses the internal SIMD
# drivers (AES-NI/AVX behind crypto/simd.c) while the FPU is usable and C
# (AES library, gf128mul) otherwise; the test-only parameter crypto_fallback
# forces the second for every packet. The known-answer, libsrtp2 and
# robustness suites run once in that mode (the normal run covers the first).
. "$(dirname "$0")/lib.sh"

P=/sys/module/ksrtp/parameters/crypto_fallback
ktap_plan 5

drivers() {
	out=$("$BIN/ksrtpctl" -j info) || return 1
	echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
g, c = d["gcm_driver"], d["ctr_driver"]
aes = " aes " in open("/proc/cpuinfo").read().replace("\n", " ")
# x86 with AES-NI: the internal drivers behind the SIMD wrappers
assert not aes or (g.startswith("__") and c.startswith("__")), d
'
}

run_fallback() {
	[ -w "$P" ] || return 1
	echo 1 > "$P" || return 1
	"$BIN/$1"
	rc=$?
	echo 0 > "$P"
	return $rc
}

"$BIN/ksrtpctl" info | sed -n "s/^ *drivers:/# drivers:/p"
check "drivers_reported" drivers
check "kat_in_fallback" run_fallback ksrtp_kat
check "datapath_in_fallback" run_fallback ksrtp_datapath
check "robust_in_fallback" run_fallback ksrtp_robust
check "fallback_off_again" sh -c "[ \$(cat $P) = N ]"
ktap_finish
