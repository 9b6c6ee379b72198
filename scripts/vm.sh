#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a command as root in a qemu VM booted on one of Debian's kernels, with
# ksrtp.ko loaded, the host's root filesystem shared read-only (9p + tmpfs
# overlay) and the project tree shared writable at the same path.
#
#   scripts/vm.sh [--kver VERSION] [--timeout SECONDS] [--log FILE]
#                 [--no-module] -- COMMAND...
#
# Exits with COMMAND's status. The run fails (exit 125) when the guest hangs
# past the timeout, panics, or logs an oops, WARN, BUG, KASAN, UBSAN or
# kmemleak report, even if COMMAND succeeded. KVM is used when a probe boot
# shows it works, TCG otherwise (VM_ACCEL=kvm|tcg forces one).
set -uo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
O=$SRC/build
KVER=
TIMEOUT=${VM_TIMEOUT:-2700}
LOG=
LOAD_MODULE=1
MEM=${VM_MEM:-2G}
SMP=${VM_SMP:-2}

while [ $# -gt 0 ]; do
	case $1 in
	--kver) KVER=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--log) LOG=$2; shift 2 ;;
	--no-module) LOAD_MODULE=; shift ;;
	--) shift; break ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || set -- true

die() { echo "vm: $*" >&2; exit 125; }

if [ -z "$KVER" ]; then
	KVER=$(ls -d /lib/modules/*/build/Makefile 2>/dev/null |
	       sed 's,/lib/modules/\([^/]*\)/build/Makefile,\1,' | sort -V | tail -n1)
fi
KERNEL=/boot/vmlinuz-$KVER
# Kernels of the trixie build root (7.x, scripts/deps.sh) keep their image
# there: /lib/modules/$KVER leads into the root, /boot does not.
if [ ! -e "$KERNEL" ]; then
	kroot=$("$SRC/scripts/kroot.sh" --path)
	[ -e "$kroot/boot/vmlinuz-$KVER" ] && KERNEL=$kroot/boot/vmlinuz-$KVER
fi
# The debug kernel (scripts/debug-kernel.sh) keeps its image with its modules.
[ -e "$KERNEL" ] || KERNEL=/lib/modules/$KVER/vmlinuz
[ -r "$KERNEL" ] || die "cannot read $KERNEL (install linux-image-$KVER, or scripts/deps.sh; run as root)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (scripts/deps.sh)"
[ -x /bin/busybox ] || die "busybox missing (scripts/deps.sh installs busybox-static)"

VMDIR=$O/vm/$KVER
mkdir -p "$VMDIR"

# ------------------------------------------------------------ initramfs
INITRD=$VMDIR/initramfs.cpio.gz
if [ ! -s "$INITRD" ] || [ "$SRC/scripts/vm/init" -nt "$INITRD" ] ||
   [ "$0" -nt "$INITRD" ]; then
	tree=$(mktemp -d)
	mkdir -p "$tree"/{bin,proc,sys,dev,mods,lower,rw,newroot}
	cp /bin/busybox "$tree/bin/busybox"
	cp "$SRC/scripts/vm/init" "$tree/init"
	chmod +x "$tree/init"
	: > "$tree/modules.list"
	for m in virtio_pci 9pnet_virtio 9p overlay virtio_rng; do
		modprobe -S "$KVER" --show-depends "$m" 2>/dev/null
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' |
	while read -r ko; do
		name=$(basename "$ko")
		case $ko in
		*.xz) xz -dc "$ko" > "$tree/mods/${name%.xz}"; name=${name%.xz} ;;
		*.zst) zstd -qdc "$ko" > "$tree/mods/${name%.zst}"; name=${name%.zst} ;;
		*.gz) gzip -dc "$ko" > "$tree/mods/${name%.gz}"; name=${name%.gz} ;;
		*) cp "$ko" "$tree/mods/$name" ;;
		esac
		echo "$name" >> "$tree/modules.list"
	done
	(cd "$tree" && find . | cpio -o -H newc --quiet | gzip -1) > "$INITRD.tmp" ||
		die "building the initramfs failed"
	mv "$INITRD.tmp" "$INITRD"
	rm -rf "$tree"
fi

# ------------------------------------------------------------ accelerator
qemu_base() {
	echo qemu-system-x86_64 -m "$MEM" -smp "$SMP" -nographic -no-reboot \
		-nic none -kernel "$KERNEL" -initrd "$INITRD" \
		-object rng-random,id=rng0,filename=/dev/urandom -device virtio-rng-pci,rng=rng0
}

probe_kvm() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	# shellcheck disable=SC2046
	timeout 60 $(qemu_base) -enable-kvm -cpu host \
		-append "console=ttyS0 quiet panic=-1 ksrtp.probe" </dev/null 2>&1 |
		grep -q KSRTP-VM-PROBE-OK
}

ACCEL=${VM_ACCEL:-}
if [ -z "$ACCEL" ]; then
	cache=$O/vm/accel
	if [ -s "$cache" ] && [ "$cache" -nt /dev/kvm ] 2>/dev/null; then
		ACCEL=$(cat "$cache")
	else
		if probe_kvm; then ACCEL=kvm; else ACCEL=tcg; fi
		echo "$ACCEL" > "$cache"
	fi
fi
case $ACCEL in
kvm) ACCEL_ARGS=(-enable-kvm -cpu host) ;;
tcg) ACCEL_ARGS=(-accel tcg,thread=multi -cpu max) ;;
*) die "VM_ACCEL must be kvm or tcg" ;;
esac

# ------------------------------------------------------------ run
RUN=$(mktemp -d "$O/vm/run.XXXXXX")
trap 'rm -rf "$RUN"' EXIT
printf '%s\n' "$*" > "$RUN/cmd.sh"
if [ -n "$LOAD_MODULE" ]; then
	KO=$O/mod/$KVER/ksrtp.ko
	[ -e "$KO" ] || die "$KO not built (make module KVER=$KVER)"
	echo "$KO" > "$RUN/module"
	echo "aesni_intel ghash_clmulni_intel gcm ctr hmac sha1_ssse3 sha1_generic" > "$RUN/premods"
fi
[ -n "$LOG" ] || LOG=$RUN/console.log

echo "vm: kernel $KVER, accel $ACCEL, timeout ${TIMEOUT}s" >&2
start=$(date +%s)
boot() {
	# shellcheck disable=SC2046
	timeout --foreground -k 10 "$TIMEOUT" $(qemu_base) "${ACCEL_ARGS[@]}" \
		-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
		-virtfs "local,path=$SRC,mount_tag=project,security_model=none,multidevs=remap" \
		-append "console=ttyS0 quiet panic=-1 ksrtp.src=$SRC ksrtp.run=$RUN" \
		</dev/null 2>&1 | sed -u -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/\x1bc//g' -e 's/\r//g' | tee "$LOG"
	qrc=${PIPESTATUS[0]}
}
boot
# A guest that dies while booting, before stage 2 and so before ksrtp.ko or
# the command ran, hit the emulator (qemu 7.2's TCG sometimes trips over the
# kernel patching its own text at boot: an int3 oops): boot once more. The
# marker may share its line with the firmware's last words: no ^ in the grep.
if [ "$qrc" != 124 ] && [ "$qrc" != 137 ] &&
   ! grep -q 'KSRTP-VM-STAGE2' "$LOG"; then
	echo "vm: the guest died while booting, before ksrtp.ko or the command ran; booting again" >&2
	mv "$LOG" "$LOG.boot1"
	boot
fi
elapsed=$(($(date +%s) - start))

if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "vm: TIMEOUT: guest still running after ${TIMEOUT}s, killed" >&2
	exit 125
fi
if ! grep -q '^KSRTP-VM-EXIT: ' "$LOG"; then
	echo "vm: guest stopped without reporting an exit status (panic or crash; qemu rc $qrc)" >&2
	exit 125
fi
rc=$(cat "$RUN/rc" 2>/dev/null || sed -n 's/^KSRTP-VM-EXIT: //p' "$LOG" | tail -n1)

# Any kernel splat fails the run, whatever the command said.
# (kmemleak's report line, not its boot banner on a debug kernel)
SPLAT='Oops|BUG:|WARNING:|general protection fault|Kernel panic|KASAN|UBSAN|kmemleak: [0-9]+ new suspected|Call Trace:|refcount_t:|list_(add|del) corruption'
if grep -Eq "$SPLAT" "$RUN/dmesg.txt" "$LOG" 2>/dev/null; then
	echo "vm: kernel reported a problem:" >&2
	grep -E -B2 -A20 "$SPLAT" "$RUN/dmesg.txt" >&2 2>/dev/null | head -n 80
	[ -n "${VM_DMESG_OUT:-}" ] && cp "$RUN/dmesg.txt" "$VM_DMESG_OUT"
	exit 125
fi
[ -n "${VM_DMESG_OUT:-}" ] && cp "$RUN/dmesg.txt" "$VM_DMESG_OUT"
echo "vm: command exited $rc after ${elapsed}s ($ACCEL)" >&2
exit "$rc"
