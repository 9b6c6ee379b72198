#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boot Debian's kernel in a VM, load ksrtp and show it at work:
# first a call keyed by hand with ksrtpctl (scripts/demo-guest.sh), then three
# calls keyed by ksrtp-keyd, over DTLS-SRTP, SDES and MIKEY-DHHMAC
# (scripts/demo-keyd.sh).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC"
make -s modules-all user selftests
# The newest kernel with headers (7.3 on a machine set up by scripts/deps.sh).
KVER=${KVER:-$(ls -d /lib/modules/*/build/Makefile 2>/dev/null |
	sed 's,/lib/modules/\([^/]*\)/build/Makefile,\1,' | sort -V | tail -n1)}
exec scripts/vm.sh --kver "$KVER" -- 'sh scripts/demo-guest.sh && sh scripts/demo-keyd.sh'
