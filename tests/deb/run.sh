#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages, end to end: `make deb` builds them (lintian: no
# errors), debian/changelog agrees with kmod/main.h, and in a clean
# debootstrapped bookworm root (scripts/deb-root.sh, cached) they install
# with apt, offline, DKMS building ksrtp.ko for the root's kernel headers;
# a client of the library builds with pkg-config alone. Then, in a VM on
# that kernel (tests/deb/guest.sh), `modprobe ksrtp` loads the DKMS module,
# ksrtp-keyd starts from the packaged config and ksrtp-keydctl and the
# client talk to it. Last, the packages purge cleanly. KTAP.
set -u -o pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
cd "$SRC" || exit 1
VER=$(sed -n 's/^#define KSRTP_VERSION "\(.*\)"/\1/p' kmod/main.h)
ARCH=$(dpkg --print-architecture)
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
KVERS=$(make -s --no-print-directory -f - print-kvers <<'MK'
include Makefile
print-kvers:
	@echo $(CHECK_KVERS)
MK
)
KVER=$(echo "$KVERS" | tr ' ' '\n' | grep '^6\.12\.' | tail -n1)
W=$SRC/build/deb-test
R=$W/root
PKGS="ksrtp-dkms ksrtp-keyd ksrtp-tools libksrtpkeyd0 libksrtpkeyd-dev"
GUEST_POINTS=6
n=0 rc=0 t0=$(date +%s)
ok() { n=$((n + 1)); echo "ok $n $*"; }
fail() { n=$((n + 1)); echo "not ok $n $*"; rc=1; }
check() { local d=$1; shift; if "$@" > "$W/step.log" 2>&1; then ok "$d"; else
	tail -n 30 "$W/step.log" | sed 's/^/# /'; fail "$d"; fi; }
# a command in the root, with /proc (objtool, dkms) and /dev, in a mount
# namespace of its own: nothing stays mounted
in_root() {
	unshare --mount --propagation private -- sh -c '
		R=$1; shift; mount -t proc proc "$R/proc" && mount --rbind /dev "$R/dev" &&
		chroot "$R" env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"' \
		sh "$R" "$@"
}

echo "TAP version 13"
echo "1..$((9 + GUEST_POINTS))"
mkdir -p "$W"

check "make deb: $PKGS built, lintian reports no error" make -s deb
check "debian/changelog's version is kmod/main.h's ($VER)" make -s deb-version-check
if make -s deb-version-check KSRTP_VER=99.0 > "$W/step.log" 2>&1; then
	fail "deb-version-check refuses a mismatch"
else
	grep -q 'kmod/main.h says 99.0' "$W/step.log" && ok "deb-version-check refuses a mismatch" ||
		fail "deb-version-check refuses a mismatch (message)"
fi

# a fresh copy of the cached clean root for every run
prepare() {
	local cache
	[ -n "$KVER" ] || { echo "no 6.12 kernel installed (scripts/deps.sh)"; return 1; }
	cache=$(scripts/deb-root.sh "$KVER") || return 1
	rm -rf --one-file-system "$R" && cp -a "$cache" "$R" || return 1
	mkdir -p "$R/tmp/debs" &&
	for p in $PKGS; do cp build/deb/"${p}_${VER}"_*.deb "$R/tmp/debs/" || return 1; done
}
install_pkgs() {
	# dpkg (apt 2.6's install of local files with --no-download stops at an
	# internal error); apt-get check then proves every dependency is met.
	# The files by name: nothing expands a glob inside the root.
	in_root dpkg -i $(cd "$R" && ls tmp/debs/*.deb | sed 's,^,/,') || return 1
	in_root apt-get check || return 1
	for p in $PKGS; do
		in_root dpkg-query -W -f='${Status} ${Version}\n' "$p" | tee -a /dev/stderr |
			grep -qx "install ok installed $VER" || return 1
	done
}
check "the packages install in a clean bookworm root (dpkg, dependencies met, offline)" \
	bash -c "$(declare -f prepare install_pkgs in_root); R=$R KVER=$KVER VER=$VER PKGS='$PKGS'; prepare && install_pkgs"

keyd_files() {
	local gid
	gid=$(in_root getent group ksrtp | cut -d: -f3)
	echo "ksrtp gid: $gid"
	[ -n "$gid" ] && [ "$gid" -lt 1000 ] || return 1
	grep -qx 'socket_group = ksrtp' "$R/etc/ksrtp/keyd.conf" &&
	in_root dpkg-query -W -f='${Conffiles}\n' ksrtp-keyd | grep -q ' /etc/ksrtp/keyd.conf ' &&
	[ -L "$R/etc/systemd/system/multi-user.target.wants/ksrtp-keyd.service" ] &&
	grep -q '^ExecStart=/usr/sbin/ksrtp-keyd ' "$R/lib/systemd/system/ksrtp-keyd.service" &&
	grep -qx ksrtp "$R/usr/lib/modules-load.d/ksrtp.conf"
}
check "ksrtp-keyd: system group ksrtp, conffile naming it, unit enabled, modules-load.d" \
	bash -c "$(declare -f keyd_files in_root); R=$R; keyd_files"

dkms_built() {
	in_root dkms status | tee /dev/stderr | grep -qx "ksrtp/$VER, $KVER, [a-z0-9_]*: installed" &&
	ls "$R/lib/modules/$KVER/updates/dkms/"ksrtp.ko*
}
check "ksrtp-dkms: DKMS built and installed ksrtp $VER for $KVER" \
	bash -c "$(declare -f dkms_built in_root); R=$R VER=$VER KVER=$KVER; dkms_built"

client() {
	mkdir -p "$R/usr/local/src" && cp tests/deb/client.c "$R/usr/local/src/" &&
	in_root sh -ec 'gcc -Wall -Wextra -Werror -o /usr/local/bin/ksrtp-client \
		/usr/local/src/client.c $(pkg-config --cflags --libs ksrtpkeyd)' &&
	in_root ldd /usr/local/bin/ksrtp-client /usr/bin/ksrtp-keydctl | tee /dev/stderr |
		grep -cE "libksrtpkeyd.so.0 => (/usr)?/lib/$MULTIARCH/libksrtpkeyd.so.0 " | grep -qx 2
}
check "a client builds with pkg-config ksrtpkeyd; it and ksrtp-keydctl link libksrtpkeyd.so.0" \
	bash -c "$(declare -f client in_root); R=$R MULTIARCH=$MULTIARCH; client"

abi() {	# exactly the public API, all at KSRTPKEYD_0
	objdump -T "$R/usr/lib/$MULTIARCH/libksrtpkeyd.so.0" | awk '/ DF / && !/\*UND\*/ {print $(NF-1), $NF}' |
		sort > "$W/abi" && cat "$W/abi" &&
	[ "$(grep -c '^KSRTPKEYD_0 kdc_' "$W/abi")" = 11 ] && [ "$(wc -l < "$W/abi")" = 11 ]
}
check "libksrtpkeyd.so.0 exports the 11 kdc_* functions, all at KSRTPKEYD_0, nothing else" \
	bash -c "$(declare -f abi); R=$R W=$W MULTIARCH=$MULTIARCH; abi"

# the VM: the root is under build/, which the guest shares writable.
# VM_LOCK: a file to flock around the boot, for hosts where VMs take turns.
if [ -x "$R/usr/sbin/ksrtp-keyd" ]; then
	${VM_LOCK:+flock "$VM_LOCK"} scripts/vm.sh --kver "$KVER" --no-module -- sh tests/deb/guest.sh "$R" "$VER" \
		> "$W/vm.log" 2>&1
	echo "# vm exit $?"
else
	echo "# no VM: the packages did not install" > "$W/vm.log"
fi
g=0
while read -r line; do
	case $line in
	"ok - "*) ok "vm $KVER: ${line#ok - }"; g=$((g + 1)) ;;
	"not ok - "*) fail "vm $KVER: ${line#not ok - }"; g=$((g + 1)) ;;
	"# "*) echo "$line" ;;
	esac
done < <(grep -aE '^(ok - |not ok - |# )' "$W/vm.log" 2>/dev/null)
[ "$g" = "$GUEST_POINTS" ] || { grep -a . "$W/vm.log" 2>/dev/null | tail -n 30 | sed 's/^/# /'; }
while [ "$g" -lt "$GUEST_POINTS" ]; do fail "vm $KVER: point $((g + 1)) never ran"; g=$((g + 1)); done

purge() {
	in_root apt-get purge -y $PKGS || return 1
	[ -z "$(in_root dkms status)" ] && [ ! -e "$R/usr/src/ksrtp-$VER" ] &&
	[ ! -e "$R/etc/ksrtp" ] && ! ls "$R/lib/modules/$KVER/updates/dkms/"ksrtp.ko* 2>/dev/null
}
check "the packages purge: no DKMS module, no sources, no /etc/ksrtp left" \
	bash -c "$(declare -f purge in_root); R=$R VER=$VER KVER=$KVER PKGS='$PKGS'; purge"

rm -rf --one-file-system "$R"
echo "# tests/deb took $(($(date +%s) - t0)) s"
exit $rc
