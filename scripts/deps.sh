#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install, idempotently, every Debian 12 package that building, testing and
# demoing ksrtp needs: both test kernels (6.1 from bookworm, 6.12 from
# bookworm-backports) with headers, qemu, busybox, the kernel source (for
# checkpatch.pl and kselftest_harness.h), sparse, the userspace libraries and
# the interop peers the VM tests call (baresip, sipp).
#
# Usage: scripts/deps.sh [--check]   (--check: report what is missing, exit 1)
set -euo pipefail

STAMP_DIR=/var/lib/ksrtp-deps
STAMP=$STAMP_DIR/stamp-v3

PKGS=(
	dkms
	build-essential make gcc pkg-config git kmod cpio xz-utils zstd
	bc bison flex libelf-dev
	qemu-system-x86 busybox-static
	linux-source-6.1 sparse
	libnl-3-dev libnl-genl-3-dev libnl-route-3-dev
	libssl-dev openssl libjson-c-dev libsrtp2-dev
	clang llvm libclang-rt-14-dev
	iproute2 tshark python3 python3-yaml procps
	baresip-core sip-tester
)

log() { echo "deps: $*" >&2; }

have_kernel() {		# $1 = version prefix (6.1. / 6.12.)
	local d
	for d in /lib/modules/"$1"*; do
		[ -e "$d/build/Makefile" ] && ls /boot/vmlinuz-"$(basename "$d")" >/dev/null 2>&1 && return 0
	done
	return 1
}

missing_pkgs() {
	local p
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || echo "$p"
	done
}

all_ok() {
	[ -z "$(missing_pkgs)" ] && have_kernel 6.1. && have_kernel 6.12. &&
		ls /usr/src/linux-source-6.1.tar.* >/dev/null 2>&1
}

if all_ok; then
	exit 0
fi
if [ "${1:-}" = "--check" ]; then
	log "missing packages: $(missing_pkgs | tr '\n' ' ')"
	have_kernel 6.1. || log "missing kernel 6.1 image+headers"
	have_kernel 6.12. || log "missing kernel 6.12 image+headers"
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
else
	SUDO=
fi

export DEBIAN_FRONTEND=noninteractive
APT="$SUDO apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"

# bookworm-backports, on the same mirror apt already uses.
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	mirror=$(grep -rhs '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		 awk '{print $2}' | grep -v security | head -n1)
	if [ -z "$mirror" ]; then
		mirror=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' |
			 grep -v security | head -n1)
	fi
	mirror=${mirror:-http://deb.debian.org/debian}
	log "adding bookworm-backports from $mirror"
	printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$mirror" | $SUDO tee /etc/apt/sources.list.d/ksrtp-bookworm-backports.sources >/dev/null
	rm -f "$STAMP"
fi

if [ ! -e "$STAMP" ] || [ -n "$(find "$STAMP" -mmin +1440 2>/dev/null)" ]; then
	$APT update
	$SUDO mkdir -p "$STAMP_DIR"
	$SUDO touch "$STAMP"
fi

# An install cut short earlier (a killed run) leaves dpkg half-configured,
# and apt refuses everything until it is finished.
if $SUDO dpkg --audit 2>/dev/null | grep -q .; then
	log "finishing an interrupted dpkg run"
	$SUDO dpkg --configure -a
fi

echo 'wireshark-common wireshark-common/install-setuid boolean false' | $SUDO debconf-set-selections

missing=$(missing_pkgs)
if [ -n "$missing" ]; then
	log "installing: $(echo $missing)"
	# shellcheck disable=SC2086
	$APT install --no-install-recommends $missing
fi

# The versioned image/headers packages behind a release's metapackage.
kernel_pkgs() {		# $1 = release, prints "linux-image-X linux-headers-X"
	local img
	img=$(apt-cache depends "linux-image-amd64/$1" 2>/dev/null |
	      awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	[ -n "$img" ] || { log "cannot resolve linux-image-amd64 in $1"; exit 1; }
	echo "$img ${img/linux-image-/linux-headers-}"
}

if ! have_kernel 6.1.; then
	rel=bookworm
	apt-cache policy linux-image-amd64 | grep -q bookworm-security && rel=bookworm-security
	pk=$(kernel_pkgs $rel)
	log "installing kernel 6.1: $pk"
	# shellcheck disable=SC2086
	$APT install --no-install-recommends $pk
fi
if ! have_kernel 6.12.; then
	pk=$(kernel_pkgs bookworm-backports)
	log "installing kernel 6.12: $pk"
	# shellcheck disable=SC2086
	$APT install --no-install-recommends -t bookworm-backports $pk
fi

all_ok || { log "dependencies still missing after install"; exit 1; }
log "all dependencies present"
