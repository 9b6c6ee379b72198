#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The part of `make demo` that runs inside the VM, with ksrtp.ko loaded.
set -e
BIN=$PWD/build/bin
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "kernel and module"
uname -r
grep '^ksrtp ' /proc/modules
dmesg | grep 'ksrtp.*loaded'

step "ksrtpctl info (the ksrtp generic netlink family answering)"
"$BIN/ksrtpctl" info
step "ksrtpctl -j -p info"
"$BIN/ksrtpctl" -j -p info

step "the family is visible in every network namespace"
ip netns add demo
ip netns exec demo "$BIN/ksrtpctl" info
ip netns del demo
