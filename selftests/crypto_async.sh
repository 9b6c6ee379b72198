#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Whichever implementation the crypto API hands out, packets come out
# right. The normal runs use what the kernel prefers (synchronous in
# practice: the SIMD drivers while the FPU is usable); here ksrtp is
# reloaded with the test-only parameter force_async=1, which allocates
# every transform through an asynchronous wrapper (cryptd for GCM from 6.12
# on, pcrypt on 6.1 and where there is no cryptd; cryptd for AES-CM and
# the f8 template where the kernel has it; Debian's 7.x has none, so its AES-CM
# stays synchronous), so that packets' crypto completes asynchronously: RX finishes the packet in the completion and queues it to
# the socket, TX waits for it. The RFC, libsrtp2, robustness and ksrtpctl
# suites run once that way (ksrtpctl.sh then also asserts that every packet
# went asynchronous and none was dropped for it). ksrtp_kdr too: a KDR
# epoch replaced while a packet is in cryptd's hands waits for it.
. "$(dirname "$0")/lib.sh"

KO=${KSRTP_KO:?KSRTP_KO must name the ksrtp.ko to test}
P=/sys/module/ksrtp/parameters/force_async
ktap_plan 9

# drivers PYTHON-CONDITION: on `ksrtpctl -j info` as d, g, c, f (f8)
drivers() {
	out=$("$BIN/ksrtpctl" -j info) || return 1
	echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
g, c, f = d["gcm_driver"], d["ctr_driver"], d["f8_driver"]
assert '"$1"', d
'
}

reload() {
	rmmod ksrtp || return 1
	insmod "$KO" "$@" || return 1
	"$BIN/ksrtpctl" info | sed -n "s/^ *drivers:/# drivers:/p"
}

"$BIN/ksrtpctl" info | sed -n "s/^ *drivers:/# drivers:/p"
# by the public API only: never an internal ("__") algorithm
check "drivers_public" drivers 'g and c and f and not any(x.startswith("__") for x in (g, c, f)) and "cryptd" not in g + c + f and f.startswith("f8(")'
check "reload_force_async" reload force_async=1
# GCM by cryptd from 6.12 on where the kernel has it, else pcrypt; AES-CM
# by cryptd where the kernel has it (7.x x86 kernels need no cryptd and
# Debian builds none: CTR stays synchronous)
has_cryptd=False
mods=/lib/modules/$(uname -r)
# a module, built in (the debug kernel), or already loaded
ls "$mods"/kernel/crypto/cryptd.ko* >/dev/null 2>&1 ||
	grep -qs "crypto/cryptd.ko" "$mods/modules.builtin" ||
	grep -q "^module *: cryptd" /proc/crypto && has_cryptd=True
kv=$(uname -r)
kmaj=${kv%%.*}
kmin=${kv#*.}
kmin=${kmin%%.*}
gcm_wrap=pcrypt
[ $has_cryptd = True ] && { [ "$kmaj" -gt 6 ] || [ "$kmin" -ge 12 ]; } && gcm_wrap=cryptd
check "drivers_async" drivers 'g.startswith("'$gcm_wrap'(") and (c.startswith("cryptd(") or not '"$has_cryptd"') and (f.startswith("cryptd(f8(") or not '"$has_cryptd"')'
check "kat_async" "$BIN/ksrtp_kat"
check "kdr_async" "$BIN/ksrtp_kdr"
check "datapath_async" "$BIN/ksrtp_datapath"
check "robust_async" "$BIN/ksrtp_robust"
check "ksrtpctl_async" sh "$(dirname "$0")/ksrtpctl.sh"
check "reload_normal" sh -c "rmmod ksrtp && insmod $KO && [ \$(cat $P) = N ]"
ktap_finish
