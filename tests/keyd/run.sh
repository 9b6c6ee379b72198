#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Native tests of ksrtp-keyd: unit tests and libFuzzer targets
# (tests/lib/suite.sh runs them; FUZZ_SECONDS defaults to 15 here).
#
#   tests/keyd/run.sh
#   FUZZ_SECONDS=300 tests/keyd/run.sh
#   BUILD=/tmp/keyd tests/keyd/run.sh
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SUITE=keyd
SUITE_BUILD=keyd-tests
SUITE_FUZZ_SECONDS=15
# shellcheck source=../lib/suite.sh
. "$HERE/../lib/suite.sh"
