#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Native tests of kmod/rtp.h and kmod/replay.h: unit tests and libFuzzer targets
# (tests/lib/suite.sh runs them; FUZZ_SECONDS defaults to 20 here).
#
#   tests/native/run.sh
#   FUZZ_SECONDS=300 tests/native/run.sh
#   BUILD=/tmp/native tests/native/run.sh
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SUITE=native
SUITE_BUILD=native
SUITE_FUZZ_SECONDS=20
# shellcheck source=../lib/suite.sh
. "$HERE/../lib/suite.sh"
