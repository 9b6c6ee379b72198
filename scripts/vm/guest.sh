#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Stage 2 of the ksrtp test VM, PID 1 inside the host's root (read-only 9p
# plus a tmpfs overlay): load ksrtp with the kernel's own kmod tools, run the
# command, save dmesg and the exit status, power off.
SRC=$1
RUN=$2
echo "KSRTP-VM-STAGE2"	# the host's harness: booted, now ours
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8

# /tmp and /run get fresh tmpfs; the project tree may live under one of them
# (a CI clone in /tmp), so carry its mount across.
mkdir -p /.ksrtp-src
mount --bind "$SRC" /.ksrtp-src
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p "$SRC"
mount --move /.ksrtp-src "$SRC"
mkdir -p /dev/pts /dev/shm /run/netns
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
hostname ksrtp-vm
ip link set lo up
echo 1 > /proc/sys/kernel/panic_on_oops 2>/dev/null
: > /proc/sys/kernel/printk_ratelimit 2>/dev/null

# A debug kernel's kmemleak: what booting leaked is not ours
KMEMLEAK=/sys/kernel/debug/kmemleak
[ -w $KMEMLEAK ] && echo clear > $KMEMLEAK

rc=0
KO=$(cat "$RUN/module" 2>/dev/null)
export KSRTP_KO=$KO
if [ -n "$KO" ]; then
	for dep in $(modinfo -F depends "$KO" | tr ',' ' '); do
		modprobe "$dep" || { echo "ksrtp-vm: modprobe $dep failed"; rc=1; }
	done
	# The crypto the SRTP suites use, so the tests see the drivers they will
	# get on a real host (aesni, ghash-clmulni).
	for m in $(cat "$RUN/premods" 2>/dev/null); do
		modprobe -q "$m" 2>/dev/null
	done
	insmod "$KO" || { echo "ksrtp-vm: insmod $KO failed"; rc=1; }
fi

if [ $rc = 0 ]; then
	cd "$SRC" && sh "$RUN/cmd.sh" < /dev/null
	rc=$?
fi

if [ -n "$KO" ] && grep -q '^ksrtp ' /proc/modules; then
	rmmod ksrtp || { echo "ksrtp-vm: rmmod ksrtp failed"; [ $rc = 0 ] && rc=1; }
fi
if [ -w $KMEMLEAK ]; then
	# objects younger than 5 s are never reported; two scans, as advised
	sleep 6
	echo scan > $KMEMLEAK
	sleep 1
	echo scan > $KMEMLEAK
	# any leak is in dmesg ("kmemleak: N new suspected memory leaks"),
	# which fails the run; the details go to the console
	head -n 200 $KMEMLEAK
fi
dmesg > "$RUN/dmesg.txt"
echo "$rc" > "$RUN/rc"
sync
echo "KSRTP-VM-EXIT: $rc"
echo o > /proc/sysrq-trigger
# Wait for the power-off with builtins only: exec'ing sleep from the 9p root
# as it goes away failed with EIO once, and PID 1 exiting panics the guest.
while :; do :; done
