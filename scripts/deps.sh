#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install, idempotently, every Debian 12 package that building, testing and
# demoing ksrtp needs: the test kernels (6.1 from bookworm, 6.12 from
# bookworm-backports) with headers, qemu, busybox, the kernel source (for
# checkpatch.pl and kselftest_harness.h), sparse, the userspace libraries and
# the interop peers the VM tests call (baresip, sipp).
#
# The third test kernel, 7.x from trixie-backports, is built with gcc 14
# against trixie's libc, which bookworm cannot provide: it goes into a trixie
# build root (debootstrap, see scripts/kroot.sh) together with the toolchain,
# sparse and dkms, and is exposed to the host's tooling by symlinks:
#   /lib/modules/<kver>             -> ROOT/lib/modules/<kver>
#   /usr/src/linux-headers-<kver>*  -> ROOT/usr/src/linux-headers-<kver>*
# (so /lib/modules/<kver>/build resolves on the host as inside the root).
# Its image stays in ROOT/boot, not /boot: a vmlinuz there would become the
# host's default GRUB entry at the next update-grub, with no initrd.
#
# Usage: scripts/deps.sh [--check] [--debug]
#   --check: report what is missing, exit 1
#   --debug: what `make check-debug` needs: linux-source-6.12, from which
#            scripts/debug-kernel.sh builds its kernel; make check needs it
#            too now (spec-check, selftests/ynl.sh), so nothing more
set -euo pipefail
CHECK_ONLY=
WANT_DEBUG=
for a in "$@"; do
	case $a in
	--check) CHECK_ONLY=1 ;;
	--debug) WANT_DEBUG=1 ;;
	*) echo "deps: unknown option $a" >&2; exit 2 ;;
	esac
done

SCRIPTS=$(cd "$(dirname "$0")" && pwd)
STAMP_DIR=/var/lib/ksrtp-deps
STAMP=$STAMP_DIR/stamp-v3
KROOT=$("$SCRIPTS/kroot.sh" --path)
# The trixie-backports kernel series make check tests, and what building and
# linting its modules needs inside the root (gcc-14 and make for kbuild,
# sparse for C=1, dkms for tests/dkms and openssl for its module signing key,
# kmod/xz/zstd for modules_install).
K7_SERIES=7.3
ROOT_PKGS=(gcc-14 make libc6-dev kmod xz-utils zstd sparse dkms openssl)

PKGS=(
	dkms debootstrap
	build-essential make gcc pkg-config git kmod cpio xz-utils zstd
	bc bison flex libelf-dev
	qemu-system-x86 busybox-static
	linux-source-6.1 sparse
	libnl-3-dev libnl-genl-3-dev libnl-route-3-dev
	libssl-dev openssl libjson-c-dev libsrtp2-dev liburing-dev
	clang llvm libclang-rt-14-dev
	iproute2 tshark python3 python3-yaml procps
	baresip-core sip-tester
	libgstreamer-plugins-base1.0-dev  # gstmikey (libgstsdp): MIKEY interop in tests/keyd/test_mikey_gst
	python3-gi	# gstmikey from Python: GStreamer's RTSP MIKEY offer in selftests/keyd_mikey.sh
	python3-pycryptodome  # MIKEY KEMAC vectors from an AES that is not OpenSSL's (tests/keyd/mikey_ref.py)
	scdoc mandoc	# man pages: built from Documentation/man/*.scd, linted by tests/cli
	libmicrohttpd-dev prometheus curl	# keyd's metrics endpoint; promtool and curl for its tests
	linux-source-6.12 python3-jsonschema	# the kernel's genetlink schemas and ynl CLI (spec-check, selftests/ynl.sh)
	debhelper dh-dkms lintian	# make deb (debian/) and tests/deb
	libbzrtp-dev	# ZRTP interop: bzrtp in-process against keyd's engine (tests/keyd/test_zrtp_bzrtp)
	libsqlite3-dev	# bzrtp's ZID cache in keyd_zrtp_peer (retained secrets across calls)
	linphone-cli	# a ZRTP call with linphonec (selftests/keyd_linphone.sh)
	chromium-headless-shell zlib1g-dev	# a real WebRTC peer, selftests/webrtc.sh (headless, fake devices); zlib: its app's STUN CRC-32
	rtpengine-daemon rtpengine-iptables iptables	# make bench: rtpengine's kernel forwarding against ksrtp's relay (in the VM only)
)
# rtpengine's kernel module is not installed: bench/rtpengine_build.sh
# fetches rtpengine-kernel-dkms with apt-get download and builds it per test
# kernel into build/ (dkms would build it for the host's kernel and load it).

log() { echo "deps: $*" >&2; }

have_kernel() {		# $1 = version prefix (6.1. / 6.12. / 7.3.)
	local d k
	for d in /lib/modules/"$1"*; do
		k=$(basename "$d")
		[ -e "$d/build/Makefile" ] || continue
		[ -e "/boot/vmlinuz-$k" ] || [ -e "$KROOT/boot/vmlinuz-$k" ] || continue
		return 0
	done
	return 1
}

# Packages of the build root missing (read from its dpkg database: no chroot,
# so --check works without root).
missing_root_pkgs() {
	local p
	for p in "${ROOT_PKGS[@]}"; do
		dpkg-query --admindir="$KROOT/var/lib/dpkg" -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed' || echo "$p"
	done
}

root_ok() {
	[ -x "$KROOT/usr/bin/make" ] && [ -z "$(missing_root_pkgs)" ] && have_kernel "$K7_SERIES."
}

missing_pkgs() {
	local p
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || echo "$p"
	done
}

all_ok() {
	[ -z "$(missing_pkgs)" ] && have_kernel 6.1. && have_kernel 6.12. &&
		ls /usr/src/linux-source-6.1.tar.* >/dev/null 2>&1 && root_ok
}

if all_ok; then
	exit 0
fi
if [ -n "$CHECK_ONLY" ]; then
	[ -z "$(missing_pkgs)" ] || log "missing packages: $(missing_pkgs | tr '\n' ' ')"
	have_kernel 6.1. || log "missing kernel 6.1 image+headers"
	have_kernel 6.12. || log "missing kernel 6.12 image+headers"
	[ -x "$KROOT/usr/bin/make" ] || log "missing the trixie build root $KROOT"
	[ -d "$KROOT/var/lib/dpkg" ] && [ -n "$(missing_root_pkgs)" ] &&
		log "missing in the build root: $(missing_root_pkgs | tr '\n' ' ')"
	have_kernel "$K7_SERIES." ||
		log "missing kernel $K7_SERIES image+headers (build root, exposed in /lib/modules)"
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
else
	SUDO=
fi

export DEBIAN_FRONTEND=noninteractive
APT="$SUDO apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"

# The Debian mirror apt already uses (not the security one, nor third-party
# repositories: the first URI serving bookworm).
debian_mirror() {
	local m
	m=$(grep -rhs -A2 '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
	    awk '/^URIs:/ {u=$2} /^Suites:.*bookworm( |$)/ {print u; exit}')
	[ -n "$m" ] || m=$(grep -hs '^deb .* bookworm ' /etc/apt/sources.list | awk '{print $2}' | head -n1)
	echo "${m:-http://deb.debian.org/debian}"
}

# bookworm-backports, on the same mirror apt already uses.
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	mirror=$(debian_mirror)
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

# The bench starts its own rtpengine in the VM; the host needs no daemon
# (policy-rc.d may have kept it from starting already).
if command -v systemctl > /dev/null && systemctl is-enabled -q rtpengine-daemon 2> /dev/null; then
	log "disabling the rtpengine-daemon service (make bench runs its own, in the VM)"
	$SUDO systemctl disable --now rtpengine-daemon > /dev/null 2>&1 || true
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

# ------------------------------------------------------------ trixie root
[ "$(id -u)" = 0 ] || { log "the trixie build root needs root (debootstrap, chroot)"; exit 1; }

in_root() { "$SCRIPTS/kroot.sh" -- "$@"; }
ROOT_APT="apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"

if [ ! -x "$KROOT/usr/bin/make" ]; then
	mirror=$(debian_mirror)
	tmp=$KROOT.new
	log "creating the trixie build root in $KROOT from $mirror (a few minutes)"
	# A run killed earlier may have left a partial tree. debootstrap runs
	# in a mount namespace of its own (below), so no mount can be left in
	# it; --one-file-system is the belt to those braces.
	rm -rf --one-file-system "$tmp"
	mkdir -p "$(dirname "$KROOT")" "$STAMP_DIR"
	t0=$(date +%s)
	# debootstrap mounts /proc and /sys in the target itself: in a private
	# mount namespace they vanish with it, even if it fails half-way.
	unshare --mount --propagation private -- \
		debootstrap --variant=minbase --include=gcc-14,make,libc6-dev,kmod,xz-utils,zstd \
		trixie "$tmp" "$mirror" >"$STAMP_DIR/debootstrap.log" 2>&1 ||
		{ tail -n 30 "$STAMP_DIR/debootstrap.log" >&2; log "debootstrap failed (log: $STAMP_DIR/debootstrap.log)"; exit 1; }
	printf 'Types: deb\nURIs: %s\nSuites: trixie-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$mirror" > "$tmp/etc/apt/sources.list.d/trixie-backports.sources"
	# Maintainer scripts must not start daemons in the root.
	printf '#!/bin/sh\nexit 101\n' > "$tmp/usr/sbin/policy-rc.d"
	chmod +x "$tmp/usr/sbin/policy-rc.d"
	# Only a complete root gets the final name: the check above trusts it.
	rm -rf --one-file-system "$KROOT"
	mv "$tmp" "$KROOT"
	log "debootstrap took $(($(date +%s) - t0)) s"
fi

if [ -n "$(missing_root_pkgs)" ] ||
   ! ls "$KROOT"/boot/vmlinuz-"$K7_SERIES".* "$KROOT"/usr/src/linux-headers-"$K7_SERIES".*/Makefile >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	in_root $ROOT_APT update
	# the versioned packages behind trixie-backports' metapackage
	img=$(in_root apt-cache depends linux-image-amd64/trixie-backports 2>/dev/null |
	      awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	case $img in
	linux-image-"$K7_SERIES".*) ;;
	*) log "trixie-backports' linux-image-amd64 is '${img:-unresolved}', not $K7_SERIES.x"; exit 1 ;;
	esac
	log "installing in the build root: $img ${img/linux-image-/linux-headers-} ${ROOT_PKGS[*]}"
	# shellcheck disable=SC2086
	in_root env DEBIAN_FRONTEND=noninteractive $ROOT_APT install --no-install-recommends \
		-t trixie-backports "$img" "${img/linux-image-/linux-headers-}" "${ROOT_PKGS[@]}"
fi

# Expose the root's kernels to the host (see the top of this file). Links
# only: the host's dpkg, depmod and dkms never own or rewrite these files.
for d in "$KROOT"/lib/modules/*/; do
	k=$(basename "$d")
	[ -e "$KROOT/usr/src/linux-headers-$k/Makefile" ] || continue
	for h in "$KROOT"/usr/src/linux-headers-"${k%-amd64}"*; do
		[ -e "/usr/src/$(basename "$h")" ] || ln -sfn "$h" "/usr/src/$(basename "$h")"
	done
	[ -e "/lib/modules/$k" ] || ln -sfn "$KROOT/lib/modules/$k" "/lib/modules/$k"
done

all_ok || { log "dependencies still missing after install"; exit 1; }
log "all dependencies present"
