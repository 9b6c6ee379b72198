#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A clean Debian 12 root for tests/deb: debootstrap --variant=minbase of
# bookworm from the mirror apt already uses, plus what ksrtp's packages
# depend on and what the test uses besides them (gcc and pkg-config for a
# client of the library, the headers of KVER for DKMS), all installed
# beforehand so the test's own install needs no network (it partly runs
# in a VM). Cached outside any clone, in /var/lib/ksrtp-deps/deb-root-<hash
# of this list>; built as .new and renamed when complete. Prints its path.
#
#   scripts/deb-root.sh KVER      (KVER: a bookworm or bookworm-backports kernel)
set -euo pipefail
KVER=${1:?usage: deb-root.sh KVER}
# Every runtime library the packages' shlibs:Depends name must be here (the
# test's dpkg -i runs offline and fails on a missing one, as it should).
PKGS="adduser libjson-c5 libnl-3-200 libnl-genl-3-200 libssl3 libmicrohttpd12 libjson-c-dev
      pkg-config gcc libc6-dev make kmod dkms linux-headers-$KVER"
hash=$(echo "$KVER $PKGS" | sha256sum | cut -c1-12)
ROOT=/var/lib/ksrtp-deps/deb-root-$hash
log() { echo "deb-root: $*" >&2; }

[ -e "$ROOT/.complete" ] && { echo "$ROOT"; exit 0; }
[ "$(id -u)" = 0 ] || { log "needs root (debootstrap, chroot)"; exit 1; }

# the first Debian mirror apt uses for bookworm (as scripts/deps.sh)
mirror=$(grep -rhs -A2 '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
	 awk '/^URIs:/ {u=$2} /^Suites:.*bookworm( |$)/ {print u; exit}')
[ -n "$mirror" ] || mirror=$(grep -hs '^deb .* bookworm ' /etc/apt/sources.list | awk '{print $2}' | head -n1)
mirror=${mirror:-http://deb.debian.org/debian}

tmp=$ROOT.new
rm -rf --one-file-system "$tmp"
mkdir -p "$(dirname "$ROOT")"
t0=$(date +%s)
log "creating $ROOT from $mirror (a few minutes, once)"
# debootstrap's own /proc and /sys mounts die with the namespace
unshare --mount --propagation private -- \
	debootstrap --variant=minbase bookworm "$tmp" "$mirror" > "$tmp.log" 2>&1 ||
	{ tail -n 30 "$tmp.log" >&2; log "debootstrap failed"; exit 1; }
printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
	"$mirror" > "$tmp/etc/apt/sources.list.d/bookworm-backports.sources"
# maintainer scripts must not start daemons here
printf '#!/bin/sh\nexit 101\n' > "$tmp/usr/sbin/policy-rc.d"
chmod +x "$tmp/usr/sbin/policy-rc.d"
# shellcheck disable=SC2086
unshare --mount --propagation private -- sh -ec '
	R=$1; shift
	mount -t proc proc "$R/proc"
	mount --rbind /dev "$R/dev"
	export DEBIAN_FRONTEND=noninteractive
	chroot "$R" apt-get -q update
	chroot "$R" apt-get -y -q install --no-install-recommends "$@"
	chroot "$R" apt-get clean
' sh "$tmp" $PKGS >> "$tmp.log" 2>&1 ||
	{ tail -n 30 "$tmp.log" >&2; log "installing the packages failed"; exit 1; }
touch "$tmp/.complete"
rm -rf --one-file-system "$ROOT"
mv "$tmp" "$ROOT"
mv "$tmp.log" "$ROOT.log"
log "took $(($(date +%s) - t0)) s"
echo "$ROOT"
