#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build rtpengine's kernel module (xt_RTPENGINE.ko) for one kernel, for the
# ksrtp-vs-rtpengine benchmark (`make rte-module`, run by `make bench`).
#
#   bench/rtpengine_build.sh --kver KVER --cache DIR --moddir DIR
#                            [--krun "PREFIX"] --kbuild KERNEL_BUILD_DIR
#
# The source comes from Debian's rtpengine-kernel-dkms package, fetched with
# `apt-get download` into the cache and unpacked there (never installed:
# dkms must not build or load anything on the host). The module is built
# out of tree in MODDIR (a tree of symlinks to the source, as for ksrtp.ko),
# with KRUN as prefix (the trixie build root for 7.x kernels).
#
# It never fails `make bench`: when the package cannot be had or the module
# does not build for KVER, MODDIR/SKIP says why (with the compiler's first
# error), and the bench prints that as rtpengine's skip line.
set -uo pipefail

KVER='' CACHE='' MODDIR='' KRUN='' KBUILD=''
while [ $# -gt 0 ]; do
	case $1 in
	--kver) KVER=$2; shift 2 ;;
	--cache) CACHE=$2; shift 2 ;;
	--moddir) MODDIR=$2; shift 2 ;;
	--krun) KRUN=$2; shift 2 ;;
	--kbuild) KBUILD=$2; shift 2 ;;
	*) echo "rtpengine_build: unknown option $1" >&2; exit 2 ;;
	esac
done
if [ -z "$KVER" ] || [ -z "$CACHE" ] || [ -z "$MODDIR" ] || [ -z "$KBUILD" ]; then
	echo "rtpengine_build: --kver, --cache, --moddir and --kbuild are needed" >&2
	exit 2
fi
mkdir -p "$CACHE" "$MODDIR"
KO=$MODDIR/xt_RTPENGINE.ko

skip() {
	echo "$*" > "$MODDIR/SKIP"
	rm -f "$KO"
	echo "rtpengine_build: $KVER: no xt_RTPENGINE.ko: $*" >&2
	exit 0
}

# ------------------------------------------------------------ source
SRCDIR=$CACHE/src
if [ ! -e "$SRCDIR/xt_RTPENGINE.c" ]; then
	tmp=$(mktemp -d "$CACHE/dl.XXXXXX")
	# apt's _apt user must be able to write the download directory
	chmod 777 "$tmp"
	if ! (cd "$tmp" && apt-get download -q rtpengine-kernel-dkms > download.log 2>&1); then
		tail -n 3 "$tmp/download.log" >&2
		rm -rf "$tmp"
		skip "apt-get download rtpengine-kernel-dkms failed (no network or no such package)"
	fi
	dpkg-deb -x "$tmp"/rtpengine-kernel-dkms_*.deb "$tmp/x" ||
		{ rm -rf "$tmp"; skip "cannot unpack rtpengine-kernel-dkms"; }
	src=$(find "$tmp/x/usr/src" -maxdepth 1 -name 'rtpengine-*' 2>/dev/null | head -n1)
	[ -e "$src/xt_RTPENGINE.c" ] || { rm -rf "$tmp"; skip "no xt_RTPENGINE.c in the package"; }
	rm -rf "$SRCDIR"
	mkdir -p "$SRCDIR"
	cp "$src"/* "$SRCDIR/"
	basename "$tmp"/rtpengine-kernel-dkms_*.deb > "$SRCDIR/PACKAGE"
	rm -rf "$tmp"
fi
VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$SRCDIR/dkms.conf")

# ------------------------------------------------------------ module
for done in "$KO" "$MODDIR/SKIP"; do	# built, or known not to build
	if [ -e "$done" ] && [ "$done" -nt "$SRCDIR/xt_RTPENGINE.c" ] && [ "$done" -nt "$0" ]; then
		[ "$done" = "$KO" ] || echo "rtpengine_build: $KVER: no xt_RTPENGINE.ko: $(cat "$done")" >&2
		exit 0
	fi
done
[ -e "$KBUILD/Makefile" ] || [ -n "$KRUN" ] || skip "no kernel build tree at $KBUILD"
rm -f "$MODDIR/SKIP"
for f in "$SRCDIR"/*; do
	ln -sfn "$f" "$MODDIR/"
done
echo "rtpengine_build: building xt_RTPENGINE $VERSION for $KVER" >&2
# Its Makefile sets its defines in EXTRA_CFLAGS, which newer kbuild (7.3's)
# no longer reads: KCFLAGS carries them too (the same definitions twice
# are no error), so a newer kernel fails on its API, not on that.
# shellcheck disable=SC2086
if ! $KRUN make -C "$KBUILD" M="$MODDIR" RTPENGINE_VERSION="$VERSION" \
	KCFLAGS="-D__RE_EXTERNAL -DRTPENGINE_VERSION=\"\\\"$VERSION\\\"\"" modules \
	> "$MODDIR/build.log" 2>&1; then
	err=$(grep -m1 -E 'error:|Error [0-9]' "$MODDIR/build.log")
	skip "xt_RTPENGINE $VERSION does not build for $KVER: ${err:-see $MODDIR/build.log}"
fi
[ -e "$KO" ] || skip "the build made no xt_RTPENGINE.ko (see $MODDIR/build.log)"
echo "rtpengine_build: $KO" >&2
