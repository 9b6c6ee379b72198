#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The trixie build root: kernels whose Debian packages are built with a newer
# toolchain than the host's (7.3 from trixie-backports: gcc 14, trixie's libc)
# get their headers, image and modules installed into a debootstrapped trixie
# tree by scripts/deps.sh, and their modules are built inside it. This script
# runs a command in that root.
#
#   scripts/kroot.sh --path              print the root's path
#   scripts/kroot.sh --has KVER          exit 0 if KVER's headers live in the root
#   scripts/kroot.sh [--bind DIR]... -- COMMAND...
#                                        run COMMAND chrooted in the root, with
#                                        /proc, /sys, /dev, a private /tmp and
#                                        every DIR mounted at its host path
#
# KSRTP_KROOT overrides the root's location (default
# /var/lib/ksrtp-deps/trixie-root: outside any clone, so CI's fresh clones
# share one root).
#
# The mounts are made in a private mount namespace (unshare -m) that dies
# with COMMAND: nothing is left mounted when COMMAND fails or is killed, and
# concurrent runs never see, nor unmount, each other's mounts.
set -euo pipefail

ROOT=${KSRTP_KROOT:-/var/lib/ksrtp-deps/trixie-root}

die() { echo "kroot: $*" >&2; exit 2; }

case ${1:-} in
--path)
	echo "$ROOT"
	exit 0 ;;
--has)
	[ -n "${2:-}" ] || die "--has needs a kernel version"
	[ -e "$ROOT/usr/src/linux-headers-$2/Makefile" ]
	exit ;;
--inside)
	# Second stage, already in the new mount namespace (see below).
	shift ;;
*)
	[ "$(id -u)" = 0 ] || die "needs root (mounts and chroot into $ROOT)"
	[ -x "$ROOT/usr/bin/make" ] || die "no build root at $ROOT (run scripts/deps.sh)"
	# --propagation private: our mounts do not leak back to the host's
	# namespace, and the host's later mounts do not reach into ours.
	exec unshare --mount --propagation private -- "$0" --inside "$@" ;;
esac

BINDS=()
while [ $# -gt 0 ]; do
	case $1 in
	--bind)
		[ -n "${2:-}" ] || die "--bind needs a directory"
		case $2 in /*) ;; *) die "--bind $2: not an absolute path" ;; esac
		[ -d "$2" ] || die "--bind $2: no such directory"
		BINDS+=("${2%/}"); shift 2 ;;
	--) shift; break ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || die "no command given"

mount -t proc proc "$ROOT/proc"		# objtool reads /proc/self/...; apt wants it
mount -t sysfs sysfs "$ROOT/sys"
mount --rbind /dev "$ROOT/dev"		# /dev/null, /dev/pts for apt and gcc
# A /tmp of our own: no leftovers in the root, no clashes between runs, and
# directories bound below /tmp (a CI clone there) need no mount point that
# outlives the run.
mount -t tmpfs -o mode=1777 tmpfs "$ROOT/tmp"
bound=()
for d in "${BINDS[@]}"; do
	# a directory inside one already bound is already there
	for b in "${bound[@]}"; do
		case $d/ in "$b"/*) continue 2 ;; esac
	done
	# Same path inside as outside: the build trees hold absolute symlinks
	# into the source tree, and kbuild records absolute paths.
	mkdir -p "$ROOT$d"
	mount --bind "$d" "$ROOT$d"
	bound+=("$d")
done

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
cwd=$PWD
[ -d "$ROOT$cwd" ] || cwd=/
exec chroot "$ROOT" /bin/sh -c 'cd "$1" && shift && exec "$@"' kroot "$cwd" "$@"
